// What the `response` event reports: the status, the header lines exactly as Node sent them
// (Date, Connection, Content-Length and Transfer-Encoding included) and the body bytes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderList } from '../events';

export interface Meter {
  /** Body bytes the app handed to the response (framing not counted). */
  bytes: number;
}

type Chunk = string | Uint8Array;

function sizeOf(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

/** Counts the body bytes written through res.write / res.end (whoever calls them: gateway or app). */
export function meterBody(res: ServerResponse): Meter {
  const meter: Meter = { bytes: 0 };
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: Chunk, ...rest: unknown[]) {
    meter.bytes += sizeOf(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') meter.bytes += sizeOf(chunk, rest[0]);
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return meter;
}

/** Body bytes that actually went out: none for HEAD, 1xx, 204 and 304. */
export function bodyBytesSent(req: IncomingMessage, res: ServerResponse, meter: Meter): number {
  const status = res.statusCode;
  if (req.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return 0;
  return meter.bytes;
}

/** The header block Node wrote (order and case as on the wire), parsed back into pairs. */
export function sentHeaders(res: ServerResponse): HeaderList {
  const head = (res as unknown as { _header?: unknown })._header;
  if (typeof head === 'string') return parseHead(head);
  // Fallback (no header block recorded): what the response object holds.
  return res.getHeaderNames().map((name) => [name, String(res.getHeader(name))]);
}

/** 'HTTP/1.1 200 OK\r\nA: b\r\n…\r\n\r\n' → [['A', 'b'], …]. */
export function parseHead(head: string): HeaderList {
  const out: HeaderList = [];
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return out;
}
