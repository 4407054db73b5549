// Buffering a request body for the gateways that hand the app a finished body (WSGI's
// wsgi.input, a Fetch Request) on Node's http server. The size limit is enforced below, in
// http/node-http.ts (connection.ts reads its bodies itself, request-reader.ts).
import type { IncomingMessage } from 'node:http';
import { RequestAborted } from './errors';

const EMPTY = Buffer.alloc(0);

/** Resolves with the whole body; rejects with RequestAborted when the client goes away first. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  if ((req.complete && req.readableEnded) || !hasBody(req)) return Promise.resolve(EMPTY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      chunks.push(c);
      size += c.length;
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onGone = (): void => {
      cleanup();
      reject(new RequestAborted());
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

/**
 * A request with neither Transfer-Encoding nor a non-zero Content-Length has no body (RFC 9112
 * 6.3): nothing to wait for — most requests are GETs, and waiting costs a stream's 'end'.
 */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
