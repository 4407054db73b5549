// Unit-level harness: a real net.Server on 127.0.0.1 (port 0) whose accepted sockets are handed
// to serveConnection(), plus a raw client that records every byte it sends and receives.
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { makeEmit } from '../../server-core/emit';
import type { EventOf, EventType, ForkscopeEvent, Interface } from '../../server-core/events';
import { serveNodeConnection } from '../../server-core/http/node-http';
import { defaultLimits, type HttpLimits, type NodeHandler } from '../../server-core/http/types';

export { parseResponse, rawRequest, request, type ParsedResponse, type RawExchange } from '../helpers/raw-http';

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
      serveNodeConnection(socket, {
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

/** The transcript of one direction of one connection, reassembled into bytes. */
export function transcriptBytes(events: ForkscopeEvent[], conn: number, dir: 'in' | 'out'): { bytes: Buffer; truncated: boolean } {
  const parts = events.filter((e): e is EventOf<'transcript'> => e.type === 'transcript' && e.conn === conn && e.dir === dir);
  return {
    bytes: Buffer.concat(parts.map((p) => Buffer.from(p.data, p.encoding))),
    truncated: parts.some((p) => p.truncated),
  };
}
