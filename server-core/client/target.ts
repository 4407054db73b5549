// Where the client fires: URL → host, port, path; and the loopback fence (it is a load tool).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { usage } from './strings';

export const DEFAULT_URL = 'http://127.0.0.1:8888/hello';

export interface Target {
  /** The host as written in the URL (for the Host header and messages). */
  hostname: string;
  /** The address actually connected to (an IP literal). */
  address: string;
  port: number;
  /** Path and query, e.g. '/slow?ms=500'. */
  path: string;
  /** Host header value. */
  hostHeader: string;
}

export class TargetError extends Error {}

/** Parses a URL or a bare path ('/slow?ms=500' → 127.0.0.1:8888). Throws TargetError. */
export function parseTarget(input: string): Omit<Target, 'address'> {
  let text = input.trim();
  if (text.startsWith('/')) text = `http://127.0.0.1:8888${text}`;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TargetError(usage.badUrl(input));
  }
  if (url.protocol !== 'http:') throw new TargetError(usage.scheme(input));
  if (!url.hostname) throw new TargetError(usage.badUrl(input));
  // URL keeps IPv6 literals in brackets; the socket wants them bare.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : 80;
  if (port < 1 || port > 65535) throw new TargetError(usage.badUrl(input));
  return { hostname, port, path: `${url.pathname || '/'}${url.search}`, hostHeader: url.host };
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and the name localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.split('.')[0] === '127';
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1].split('.')[0] === '127';
  }
  return false;
}

/**
 * Parses and checks a target and picks the address to connect to. localhost means
 * 127.0.0.1 (where the server listens by default), so no name lookup is needed.
 */
export async function resolveTarget(input: string, allowRemote: boolean): Promise<Target> {
  const t = parseTarget(input);
  if (!allowRemote && !isLoopback(t.hostname)) throw new TargetError(usage.remote(t.hostname));
  let address = t.hostname;
  if (isIP(address) === 0) {
    if (isLoopback(address)) address = '127.0.0.1';
    else {
      try {
        address = (await lookup(address)).address;
      } catch (err) {
        throw new TargetError(usage.lookup(t.hostname, err instanceof Error ? err.message : String(err)));
      }
    }
  }
  return { ...t, address };
}
