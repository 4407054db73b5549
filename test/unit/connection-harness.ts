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
  opts: { endAfter?: boolean; timeoutMs?: number; gapMs?: number; resetAfterMs?: number } = {},
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
  if (opts.resetAfterMs !== undefined) setTimeout(() => sock.resetAndDestroy(), opts.resetAfterMs);
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

export interface ParsedResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  header(name: string): string | undefined;
  body: Buffer;
  text: string;
}

/** Parses one HTTP/1.1 response (Content-Length, chunked, or close-delimited). */
export function parseResponse(raw: Buffer): ParsedResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(raw.toString('latin1'))}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (!m) throw new Error(`bad status line ${statusLine}`);
  const headers = lines.map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
  });
  const header = (name: string): string | undefined => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  let rest = raw.subarray(end + 4);
  let body: Buffer;
  if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const nl = rest.indexOf('\r\n');
      const size = parseInt(rest.subarray(0, nl).toString('latin1'), 16);
      if (!size) break;
      parts.push(rest.subarray(nl + 2, nl + 2 + size));
      rest = rest.subarray(nl + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  } else if (header('content-length') !== undefined) {
    body = rest.subarray(0, Number(header('content-length')));
  } else body = rest;
  return { status: Number(m[1]), reason: m[2], headers, header, body, text: body.toString('utf8') };
}

/** One request over a fresh connection; returns the parsed response. */
export async function request(
  port: number,
  method: string,
  target: string,
  opts: { headers?: [string, string][]; body?: string | Buffer } = {},
): Promise<ParsedResponse & { raw: RawExchange }> {
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: [string, string][] = [['Host', '127.0.0.1'], ...(opts.headers ?? [])];
  if (body && !headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))) headers.push(['Content-Length', String(body.length)]);
  const head = `${method} ${target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  const raw = await rawRequest(port, [body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head]);
  return { ...parseResponse(raw.received), raw };
}
