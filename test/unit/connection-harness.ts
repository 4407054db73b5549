// Unit-level harness: a real net.Server on 127.0.0.1 (port 0) whose accepted sockets are handed
// to serveConnection(), plus a raw client that records every byte it sends and receives.
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { makeEmit } from '../../server-core/emit';
import type { EventOf, EventType, ForkscopeEvent, Interface } from '../../server-core/events';
import { serveConnection } from '../../server-core/http/connection';
import { defaultLimits, type HttpLimits, type NodeHandler } from '../../server-core/http/types';

export interface Harness {
  port: number;
  events: ForkscopeEvent[];
  of<T extends EventType>(type: T, conn?: number): EventOf<T>[];
  /** Resolves when every connection served so far has been closed by serveConnection. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  handler: NodeHandler,
  opts: { limits?: Partial<HttpLimits>; keepAlive?: boolean; iface?: Interface; pauseOnConnect?: boolean } = {},
): Promise<Harness> {
  const events: ForkscopeEvent[] = [];
  const emit = makeEmit((e) => events.push(e));
  const served: Promise<void>[] = [];
  let conn = 0;
  const server: Server = createServer({ pauseOnConnect: opts.pauseOnConnect ?? true }, (socket) => {
    served.push(
      serveConnection(socket, {
        conn: ++conn,
        app: { spec: 'test', interface: opts.iface ?? 'node', handler },
        limits: { ...defaultLimits, ...opts.limits },
        keepAlive: opts.keepAlive ?? false,
        emit,
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    port,
    events,
    of: <T extends EventType>(type: T, c?: number) =>
      events.filter((e) => e.type === type && (c === undefined || (e as { conn?: number }).conn === c)) as EventOf<T>[],
    settled: async () => {
      await Promise.all(served);
    },
    close: async () => {
      await Promise.all(served);
      server.close();
    },
  };
}

export interface RawExchange {
  sent: Buffer;
  received: Buffer;
  /** Received bytes as latin1 text (every byte one char). */
  text: string;
}

/**
 * Connects, writes `parts` (with a short pause between them so they travel as separate
 * segments), optionally half-closes, and reads until the server closes or `timeoutMs` passes.
 */
export async function rawRequest(
  port: number,
  parts: (string | Buffer)[],
  opts: { endAfter?: boolean; timeoutMs?: number; gapMs?: number } = {},
): Promise<RawExchange> {
  const sock: Socket = createConnection({ port, host: '127.0.0.1' });
  await once(sock, 'connect');
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('error', () => {});
  const closed = once(sock, 'close');
  const sent: Buffer[] = [];
  for (const [i, p] of parts.entries()) {
    const b = typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
    sent.push(b);
    sock.write(b);
    if (i < parts.length - 1) await new Promise((r) => setTimeout(r, opts.gapMs ?? 20));
  }
  if (opts.endAfter) sock.end();
  const timer = setTimeout(() => sock.destroy(), opts.timeoutMs ?? 5_000);
  await closed;
  clearTimeout(timer);
  const received = Buffer.concat(chunks);
  return { sent: Buffer.concat(sent), received, text: received.toString('latin1') };
}

/** The transcript of one direction of one connection, reassembled into bytes. */
export function transcriptBytes(events: ForkscopeEvent[], conn: number, dir: 'in' | 'out'): { bytes: Buffer; truncated: boolean } {
  const parts = events.filter((e): e is EventOf<'transcript'> => e.type === 'transcript' && e.conn === conn && e.dir === dir);
  return {
    bytes: Buffer.concat(parts.map((p) => Buffer.from(p.data, p.encoding))),
    truncated: parts.some((p) => p.truncated),
  };
}
