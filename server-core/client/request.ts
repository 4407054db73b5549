// The bytes a connection sends: a built HTTP/1.1 request, or the user's raw bytes verbatim.
import type { FireOptions } from './types';
import type { Target } from './target';

const USER_AGENT = 'forkscope-fire';

/**
 * Builds the request like curl does, plus `Connection: close` so that a missing end-of-file
 * after the response means something (the --parent-keeps-conn lesson), not keep-alive.
 * A user header replaces a default of the same name; 'Name:' with no value removes it.
 */
export function buildRequest(opts: Pick<FireOptions, 'method' | 'headers' | 'body'>, target: Target): Buffer {
  const body = opts.body !== undefined ? Buffer.from(opts.body, 'utf8') : null;
  const method = opts.method || (body ? 'POST' : 'GET');
  const defaults: [string, string][] = [
    ['Host', target.hostHeader],
    ['User-Agent', USER_AGENT],
    ['Accept', '*/*'],
    ['Connection', 'close'],
  ];
  if (body) {
    defaults.push(['Content-Length', String(body.length)]);
    defaults.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  const userNames = new Set(opts.headers.map(([n]) => n.toLowerCase()));
  const headers = [
    ...defaults.filter(([n]) => !userNames.has(n.toLowerCase())),
    ...opts.headers.filter(([, v]) => v !== ''),
  ];
  const head = [`${method} ${target.path} HTTP/1.1`, ...headers.map(([n, v]) => `${n}: ${v}`), '', ''].join('\r\n');
  return body ? Buffer.concat([Buffer.from(head, 'utf8'), body]) : Buffer.from(head, 'utf8');
}

/** The method a payload uses, for response framing (a HEAD response has no body). */
export function methodOf(payload: Buffer): string {
  const sp = payload.indexOf(0x20);
  return sp > 0 ? payload.subarray(0, sp).toString('latin1').toUpperCase() : '';
}

/** Parses a `--header 'Name: value'` argument; null when it has no colon or no name. */
export function parseHeader(text: string): [string, string] | null {
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const name = text.slice(0, colon).trim();
  if (!name || /[\s:]/.test(name)) return null;
  return [name, text.slice(colon + 1).trim()];
}
