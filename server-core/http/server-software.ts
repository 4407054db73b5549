// What the server calls itself in the `Server` header and WSGI's SERVER_SOFTWARE.
import { version } from '../../package.json';

export const SERVER_SOFTWARE = `forkscope/${version}`;

/** An HTTP date (RFC 9110 IMF-fixdate), as the `Date` header wants it. */
export function httpDate(at: Date = new Date()): string {
  return at.toUTCString();
}
