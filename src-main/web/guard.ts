// Who may talk to the browser bridge: requests that carry the run's random token (in the URL or
// the cookie set with the page), addressed to a loopback host on our port (a DNS-rebinding page
// on another name is refused), and, when a browser says where it comes from, from our own origin.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_PARAM } from '../ipc/ws-protocol';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The cookie is per port: browsers share cookies between ports of one host. */
export function cookieName(port: number): string {
  return `forkscope_token_${port}`;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Host header is a loopback name with exactly our port. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return LOOPBACK_NAMES.some((name) => host.toLowerCase() === `${name}:${port}`);
}

/** No Origin (a navigation or a non-browser client) is fine; a present one must be ours. */
export function originAllowed(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return LOOPBACK_NAMES.some((name) => origin.toLowerCase() === `http://${name}:${port}`);
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function tokenFromUrl(url: URL): string | null {
  return url.searchParams.get(TOKEN_PARAM);
}

export function tokenFromCookie(header: string | undefined, port: number): string | null {
  if (!header) return null;
  const name = cookieName(port);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type Verdict = { ok: true; url: URL; viaQuery: boolean } | { ok: false; status: number; why: 'host' | 'origin' | 'token' };

/** The one check every HTTP request and WebSocket upgrade passes through. */
export function checkRequest(req: IncomingMessage, port: number, token: string): Verdict {
  if (!hostAllowed(req.headers.host, port)) return { ok: false, status: 403, why: 'host' };
  if (!originAllowed(req.headers.origin, port)) return { ok: false, status: 403, why: 'origin' };
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const viaQuery = sameToken(tokenFromUrl(url), token);
  if (!viaQuery && !sameToken(tokenFromCookie(req.headers.cookie, port), token)) return { ok: false, status: 403, why: 'token' };
  return { ok: true, url, viaQuery };
}
