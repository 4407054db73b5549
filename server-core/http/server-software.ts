// What the server calls itself in the `Server` header and WSGI's SERVER_SOFTWARE.
import { version } from '../../package.json';

export const SERVER_SOFTWARE = `forkscope/${version}`;

let cachedSecond = -1;
let cachedDate = '';

/** Now as an HTTP date (RFC 9110 IMF-fixdate), as the `Date` header wants it; made once a second, as Node does. */
export function httpDate(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(ms).toUTCString();
  }
  return cachedDate;
}
