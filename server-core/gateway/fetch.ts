// The Fetch-style gateway: (Request) => Response | Promise<Response>, the Web-standard
// handler shape (Hono's app.fetch, Deno, Bun, workers) — WSGI's idea in today's JavaScript.
import type { GatewayInfo } from '../http/types';
import { SERVER_SOFTWARE } from '../http/server-software';
import { GatewayError } from './errors';
import { type GatewayHandler, type GatewayRequest, type GatewayResponse } from './exchange';
import { G } from './strings';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Adapts a Fetch-style handler to the gateway seam (exchange.ts). */
export function fetchGateway(handler: FetchHandler, info: GatewayInfo): GatewayHandler {
  return async (req, res) => {
    const body = await req.body();
    const aborter = new AbortController();
    res.onGone(() => aborter.abort());
    const response: unknown = await handler(toRequest(req, body, info, aborter.signal));
    if (!isResponse(response)) throw new GatewayError(G.fetchBadResult(response));
    await writeResponse(res, response);
  };
}

export function toRequest(req: GatewayRequest, body: Buffer, info: GatewayInfo, signal?: AbortSignal): Request {
  const method = req.method;
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      /* a value Headers refuses (llhttp let it through): the app does not see it */
    }
  }
  const hasBody = method !== 'GET' && method !== 'HEAD' && body.length > 0;
  return new Request(requestUrl(req, info), { method, headers, body: hasBody ? new Uint8Array(body) : undefined, signal });
}

function requestUrl(req: GatewayRequest, info: GatewayInfo): string {
  const target = req.url;
  if (/^https?:\/\//i.test(target)) return target; // absolute-form (a proxy-style request)
  const fallback = `http://${info.serverName}:${info.serverPort}`;
  const host = req.host;
  for (const base of host ? [`http://${host}`, fallback] : [fallback]) {
    try {
      return new URL(target.startsWith('/') ? target : `/${target}`, base).href;
    } catch {
      /* try the next base */
    }
  }
  return `${fallback}/`;
}

function isResponse(v: unknown): v is Response {
  if (v instanceof Response) return true;
  const r = v as Partial<Response> | null;
  return !!r && typeof r === 'object' && typeof r.status === 'number' && typeof r.headers?.forEach === 'function' && 'body' in r;
}

/** Status, headers, then the body — streamed when it is a stream, with a length when it is not. */
async function writeResponse(res: GatewayResponse, response: Response): Promise<void> {
  const flat: string[] = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') flat.push(name, value);
  });
  for (const cookie of response.headers.getSetCookie?.() ?? []) flat.push('set-cookie', cookie);
  if (!response.headers.has('server')) flat.push('Server', SERVER_SOFTWARE);
  const hasLength = response.headers.has('content-length');
  const reason = response.statusText || undefined;
  if (!response.body) {
    res.writeHead(response.status, reason, flat);
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const first = await reader.read();
  if (first.done) {
    res.writeHead(response.status, reason, flat);
    res.end();
    return;
  }
  // A body made from a string or bytes is already complete: its end is there at once. Send it
  // with a Content-Length. A real stream (its end not there yet) goes out chunked, as it comes.
  const secondRead = reader.read();
  const second = await Promise.race([secondRead, nextTurn()]);
  if (second !== PENDING && second.done) {
    if (!hasLength) flat.push('Content-Length', String(first.value.byteLength));
    res.writeHead(response.status, reason, flat);
    res.end(first.value);
    return;
  }
  res.writeHead(response.status, reason, flat);
  let next: Promise<ReadableStreamReadResult<Uint8Array>> = secondRead;
  let chunk: Uint8Array | undefined = first.value;
  while (chunk) {
    if (!res.write(chunk)) await res.drained();
    if (res.gone) {
      await reader.cancel().catch(() => {});
      return;
    }
    const r = await next;
    chunk = r.done ? undefined : r.value;
    if (!r.done) next = reader.read();
  }
  res.end();
}

const PENDING = Symbol('pending');
function nextTurn(): Promise<typeof PENDING> {
  return new Promise((resolve) => setImmediate(() => resolve(PENDING)));
}
