// The request body limit for bodies with no length up front (chunked): the http server's
// request class (createServer's IncomingMessage option) counts body bytes as the parser hands
// them over. A class rather than a per-request wrapper: no closures, one shape for every request.
import { IncomingMessage } from 'node:http';

/** Told once when the body goes past the limit. */
export interface BodyWatcher {
  bodyOverLimit(): void;
}

export class LimitedRequest extends IncomingMessage {
  /** Body bytes allowed; past it the watcher is told once and the rest is dropped. */
  bodyLimit = Infinity;
  watcher: BodyWatcher | null = null;
  bodySeen = 0;
  overLimit = false;
}

const push = IncomingMessage.prototype.push as (chunk: unknown, encoding?: BufferEncoding) => boolean;
LimitedRequest.prototype.push = function (this: LimitedRequest, chunk: unknown, encoding?: BufferEncoding): boolean {
  // Past the limit the end is dropped too, so nobody mistakes a cut body for a whole one.
  if (this.overLimit) return true;
  if (chunk instanceof Uint8Array) {
    this.bodySeen += chunk.length;
    if (this.bodySeen > this.bodyLimit) {
      this.overLimit = true;
      this.watcher?.bodyOverLimit();
      return true;
    }
  }
  return push.call(this, chunk, encoding);
};
