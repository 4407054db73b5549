// Raw HTTP over a real TCP socket, for tests: send exact bytes (in separate segments when
// asked), read every byte until the server closes, and parse the one response.
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';

export interface RawExchange {
  sent: Buffer;
  received: Buffer;
  /** Received bytes as latin1 text (every byte one char). */
  text: string;
  /** The client's port: the server's `accept` event names it as peer.port. */
  localPort: number;
}

/**
 * Connects, writes `parts` (with a short pause between them so they travel as separate
 * segments), optionally half-closes, and reads until the server closes or `timeoutMs` passes.
 * `between(localPort)`, when given, is awaited before each part after the first.
 */
export async function rawRequest(
  port: number,
  parts: (string | Buffer)[],
  opts: { endAfter?: boolean; timeoutMs?: number; gapMs?: number; resetAfterMs?: number; between?: (localPort: number) => Promise<void> } = {},
): Promise<RawExchange> {
  const sock: Socket = createConnection({ port, host: '127.0.0.1' });
  await once(sock, 'connect');
  const localPort = sock.localPort ?? 0;
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('error', () => {});
  const closed = once(sock, 'close');
  const sent: Buffer[] = [];
  for (const [i, p] of parts.entries()) {
    const b = typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
    sent.push(b);
    if (i > 0) await opts.between?.(localPort);
    sock.write(b);
    if (i < parts.length - 1) await new Promise((r) => setTimeout(r, opts.gapMs ?? 20));
  }
  if (opts.endAfter) sock.end();
  if (opts.resetAfterMs !== undefined) setTimeout(() => sock.resetAndDestroy(), opts.resetAfterMs);
  const timer = setTimeout(() => sock.destroy(), opts.timeoutMs ?? 5_000);
  await closed;
  clearTimeout(timer);
  const received = Buffer.concat(chunks);
  return { sent: Buffer.concat(sent), received, text: received.toString('latin1'), localPort };
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
