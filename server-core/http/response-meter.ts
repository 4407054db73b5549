// What the `response` event reports: the status, the header lines exactly as Node sent them
// (Date, Connection, Content-Length and Transfer-Encoding included) and the body bytes.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { HeaderList } from '../events';
import { parseHead } from './response-head';

/**
 * The http server's response class (createServer's ServerResponse option): counts the body
 * bytes written through write/end, whoever calls them (gateway or app). A class rather than
 * per-response wrappers, so no closures are made and every response keeps one shape.
 */
export class MeteredResponse<Req extends IncomingMessage = IncomingMessage> extends ServerResponse<Req> {
  /** Body bytes handed to write/end (framing not counted). */
  bodyBytes = 0;
}

function sizeOf(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

const write = ServerResponse.prototype.write as (...a: unknown[]) => boolean;
const end = ServerResponse.prototype.end as (...a: unknown[]) => ServerResponse;
MeteredResponse.prototype.write = function (this: MeteredResponse, chunk: unknown, encoding?: unknown, cb?: unknown) {
  this.bodyBytes += sizeOf(chunk, encoding);
  return write.call(this, chunk, encoding, cb);
} as MeteredResponse['write'];
MeteredResponse.prototype.end = function (this: MeteredResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) {
  if (typeof chunk !== 'function') this.bodyBytes += sizeOf(chunk, encoding);
  return end.call(this, chunk, encoding, cb);
} as MeteredResponse['end'];

/** Body bytes that actually went out: none for HEAD, 1xx, 204 and 304. */
export function bodyBytesSent(req: IncomingMessage, res: ServerResponse): number {
  const status = res.statusCode;
  if (req.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return 0;
  return res instanceof MeteredResponse ? res.bodyBytes : 0;
}

/** The header block Node wrote (order and case as on the wire), parsed back into pairs. */
export function sentHeaders(res: ServerResponse): HeaderList {
  const head = (res as unknown as { _header?: unknown })._header;
  if (typeof head === 'string') return parseHead(head);
  // Fallback (no header block recorded): what the response object holds.
  return res.getHeaderNames().map((name) => [name, String(res.getHeader(name))]);
}
