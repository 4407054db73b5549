// The WSGI-style gateway (PEP 3333, in JavaScript): the tutorial's part 2. The server builds an
// `environ` of CGI and wsgi.* variables, calls app(environ, start_response), and sends the
// status, headers and body it gets back. The contract is checked, and every breach is named.
//
// JavaScript departures from PEP 3333 (docs/gateway.md):
// - the app may be async: it may return a promise of its iterable, and the iterable may be an
//   async iterable (an async generator), so a slow app does not block the event loop;
// - body items are strings (sent as UTF-8) or bytes (Uint8Array / Buffer);
// - exc_info is the caught error (or a Python-style [type, value, traceback] triple);
// - PATH_INFO is percent-decoded as UTF-8 when the bytes are valid UTF-8, else as latin-1.
import { isUtf8 } from 'node:buffer';
import type { GatewayInfo, RequestScope } from '../http/types';
import { SERVER_SOFTWARE, httpDate } from '../http/server-software';
import { GatewayError } from './errors';
import { type GatewayHandler, type GatewayRequest, type GatewayResponse } from './exchange';
import { G } from './strings';

export type Chunk = string | Uint8Array;
export type Write = (chunk: Chunk) => void;
/** start_response(status, headers, exc_info?) → write. */
export type StartResponse = (status: string, headers: [string, string][], excInfo?: unknown) => Write;
export type WsgiBody = Iterable<Chunk> | AsyncIterable<Chunk>;
export type WsgiApp = (environ: Environ, startResponse: StartResponse) => WsgiBody | Promise<WsgiBody>;

/** wsgi.input: the request body, buffered, read synchronously. */
export interface WsgiInput {
  /** Up to `size` bytes (all that is left when size is omitted or negative). */
  read(size?: number): Uint8Array;
  /** One line, '\n' included (at most `size` bytes). */
  readline(size?: number): Uint8Array;
  readlines(): Uint8Array[];
  [Symbol.iterator](): Iterator<Uint8Array>;
}

/** wsgi.errors: the app's error log. Each write becomes a `notice` event (or goes to stderr). */
export interface WsgiErrors {
  write(text: string): void;
  writelines(lines: Iterable<string>): void;
  flush(): void;
}

export interface Environ {
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING: string;
  CONTENT_TYPE: string;
  CONTENT_LENGTH: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  SERVER_SOFTWARE: string;
  REMOTE_ADDR: string;
  REMOTE_PORT: string;
  'wsgi.version': [1, 0];
  'wsgi.url_scheme': 'http';
  'wsgi.input': WsgiInput;
  'wsgi.errors': WsgiErrors;
  'wsgi.multithread': boolean;
  'wsgi.multiprocess': boolean;
  'wsgi.run_once': boolean;
  /** Every request header as HTTP_NAME (and anything an app or middleware adds). */
  [key: string]: unknown;
}

/** Adapts a WSGI app to the gateway seam (exchange.ts). */
export function wsgiGateway(app: WsgiApp, info: GatewayInfo): GatewayHandler {
  return async (req, res, scope) => {
    const body = await req.body();
    const environ = buildEnviron(req, body, info, errorsStream(scope));
    const response = new WsgiResponse(res);
    let result: unknown;
    try {
      result = await app(environ, response.startResponse);
      // A breach the app caught and swallowed is still a breach.
      if (response.breach) throw response.breach;
      await response.send(result);
    } finally {
      closeResult(result);
    }
  };
}

// ── environ ────────────────────────────────────────────────────────────────
export function buildEnviron(req: GatewayRequest, body: Buffer, info: GatewayInfo, errors: WsgiErrors): Environ {
  const target = req.url;
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const headers = req.rawHeaders;
  let contentType = '';
  let contentLength = '';
  const http: Record<string, string> = {};
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    const lower = name.toLowerCase();
    if (lower === 'content-type') contentType = value;
    else if (lower === 'content-length') contentLength = value;
    // 'X_Foo' and 'X-Foo' would both become HTTP_X_FOO; a header with an underscore could then
    // pose as another (header smuggling), so such headers are dropped, as gunicorn does.
    else if (!name.includes('_')) {
      const key = `HTTP_${name.toUpperCase().replace(/-/g, '_')}`;
      http[key] = key in http ? `${http[key]},${value}` : value;
    }
  }
  // A chunked body has no Content-Length header; the body is buffered, so its length is known.
  if (!contentLength && body.length > 0) contentLength = String(body.length);
  return {
    REQUEST_METHOD: req.method,
    SCRIPT_NAME: '',
    PATH_INFO: decodePath(rawPath),
    QUERY_STRING: q < 0 ? '' : target.slice(q + 1),
    CONTENT_TYPE: contentType,
    CONTENT_LENGTH: contentLength,
    SERVER_NAME: info.serverName,
    SERVER_PORT: String(info.serverPort),
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE,
    REMOTE_ADDR: req.remoteAddress,
    REMOTE_PORT: String(req.remotePort ?? ''),
    ...http,
    'wsgi.version': [1, 0],
    'wsgi.url_scheme': 'http',
    'wsgi.input': new BodyInput(body),
    'wsgi.errors': errors,
    'wsgi.multithread': false,
    'wsgi.multiprocess': info.multiprocess,
    'wsgi.run_once': info.runOnce,
  };
}

/** '/caf%C3%A9' → '/café'; bytes that are not UTF-8 are taken as latin-1 (PEP 3333's choice). */
export function decodePath(raw: string): string {
  if (!raw.includes('%') && !/[^\x00-\x7f]/.test(raw)) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  const buf = Buffer.from(bytes);
  return buf.toString(isUtf8(buf) ? 'utf8' : 'latin1');
}

class BodyInput implements WsgiInput {
  private pos = 0;
  constructor(private readonly body: Buffer) {}

  read(size?: number): Uint8Array {
    const end = size === undefined || size < 0 ? this.body.length : Math.min(this.body.length, this.pos + size);
    const out = this.body.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  readline(size?: number): Uint8Array {
    const nl = this.body.indexOf(0x0a, this.pos);
    let end = nl < 0 ? this.body.length : nl + 1;
    if (size !== undefined && size >= 0) end = Math.min(end, this.pos + size);
    const out = this.body.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  readlines(): Uint8Array[] {
    return [...this];
  }

  *[Symbol.iterator](): Iterator<Uint8Array> {
    for (let line = this.readline(); line.length > 0; line = this.readline()) yield line;
  }

  /** What JSON.stringify(environ) shows (the echo app relies on it). */
  toJSON(): string {
    return `<wsgi.input: ${this.body.length} bytes>`;
  }
}

function errorsStream(scope: RequestScope | undefined): WsgiErrors {
  const write = (text: string): void => {
    const line = String(text).replace(/\n$/, '');
    if (!line) return;
    if (scope) scope.emit({ type: 'notice', message: G.wsgiErrorsLine(`[#${scope.conn}] ${line}`), code: 'WSGI_ERRORS' });
    else process.stderr.write(`${G.wsgiErrorsLine(line)}\n`);
  };
  return {
    write,
    writelines: (lines) => {
      for (const l of lines) write(l);
    },
    flush: () => {},
    toJSON: () => '<wsgi.errors>',
  } as WsgiErrors;
}

// ── start_response and the body ───────────────────────────────────────────
const STATUS = /^([1-9]\d\d) ([\t\x20-\x7e\x80-\xff]+)$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'transfer-encoding', 'upgrade']);

class WsgiResponse {
  private status: { code: number; reason: string } | null = null;
  private headers: [string, string][] = [];
  private headersSent = false;
  breach: GatewayError | null = null;

  constructor(private readonly res: GatewayResponse) {}

  readonly startResponse: StartResponse = (status, headers, excInfo) => {
    if (this.breach) throw this.breach;
    if (excInfo) {
      // Called from the app's error handler: too late once headers are out, so re-raise.
      if (this.headersSent) throw errorOf(excInfo);
    } else if (this.status) {
      this.fail(G.wsgiStartTwice());
    }
    const m = typeof status === 'string' ? STATUS.exec(status) : null;
    if (!m) this.fail(G.wsgiBadStatus(status));
    this.headers = this.checkHeaders(headers);
    this.status = { code: Number(m![1]), reason: m![2] };
    return this.write;
  };

  private readonly write: Write = (chunk) => {
    if (this.breach) throw this.breach;
    const bytes = this.toBytes(chunk);
    if (bytes.length === 0) return;
    this.sendHeaders();
    this.res.write(bytes);
  };

  async send(result: unknown): Promise<void> {
    if (Array.isArray(result)) return this.sendAll(result);
    if (isIterable(result)) {
      for (const chunk of result) await this.sendChunk(chunk);
    } else if (isAsyncIterable(result)) {
      for await (const chunk of result) await this.sendChunk(chunk);
    } else {
      this.fail(G.wsgiBadResult(result));
    }
    if (!this.status) this.fail(G.wsgiNoStart());
    this.sendHeaders();
    this.res.end();
  }

  /** The common case, [body]: one write, with a Content-Length when the app gave none. */
  private sendAll(items: unknown[]): void {
    const chunks = items.map((c) => this.toBytes(c));
    const total = chunks.reduce((n, c) => n + c.length, 0);
    if (!this.status) this.fail(total > 0 ? G.wsgiBodyBeforeStart() : G.wsgiNoStart());
    if (!this.headersSent && !this.has('content-length') && !this.has('transfer-encoding')) {
      this.headers.push(['Content-Length', String(total)]);
    }
    this.sendHeaders();
    this.res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
  }

  private async sendChunk(chunk: unknown): Promise<void> {
    const bytes = this.toBytes(chunk);
    if (bytes.length === 0) return;
    if (!this.status) this.fail(G.wsgiBodyBeforeStart());
    this.sendHeaders();
    if (!this.res.write(bytes)) await this.res.drained();
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    if (!this.status) this.fail(G.wsgiBodyBeforeStart());
    this.headersSent = true;
    const flat: string[] = [];
    for (const [n, v] of this.headers) flat.push(n, v);
    // The server's own headers, after the app's, as in the tutorial's start_response.
    if (!this.has('date')) flat.push('Date', httpDate());
    if (!this.has('server')) flat.push('Server', SERVER_SOFTWARE);
    this.res.writeHead(this.status!.code, this.status!.reason, flat);
  }

  private checkHeaders(headers: unknown): [string, string][] {
    if (!Array.isArray(headers)) this.fail(G.wsgiBadHeaders(`got ${describeValue(headers)} instead of a list`));
    const out: [string, string][] = [];
    for (const pair of headers as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        this.fail(G.wsgiBadHeaders(`${JSON.stringify(pair) ?? String(pair)} is not a [name, value] pair of strings`));
      }
      const [name, value] = pair as [string, string];
      if (!TOKEN.test(name)) this.fail(G.wsgiBadHeaders(`'${name}' is not a valid header name`));
      if (BAD_VALUE.test(value)) this.fail(G.wsgiBadHeaders(`the value of '${name}' contains a line break or control character`));
      if (HOP_BY_HOP.has(name.toLowerCase())) this.fail(G.wsgiHopByHop(name));
      out.push([name, value]);
    }
    return out;
  }

  private has(lowerName: string): boolean {
    return this.headers.some(([n]) => n.toLowerCase() === lowerName);
  }

  private toBytes(chunk: unknown): Uint8Array {
    if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
    if (chunk instanceof Uint8Array) return chunk;
    return this.fail(G.wsgiBadChunk(chunk));
  }

  private fail(message: string): never {
    this.breach ??= new GatewayError(message);
    throw this.breach;
  }
}

function errorOf(excInfo: unknown): unknown {
  if (excInfo instanceof Error) return excInfo;
  if (Array.isArray(excInfo) && excInfo[1] !== undefined) return excInfo[1];
  return excInfo;
}

function isIterable(v: unknown): v is Iterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** PEP 3333: the server calls the iterable's close() when done, whatever happened. */
function closeResult(result: unknown): void {
  if (result && typeof result === 'object' && typeof (result as { close?: unknown }).close === 'function') {
    try {
      (result as { close(): void }).close();
    } catch {
      /* a failing close() must not hide the response's outcome */
    }
  }
}

function describeValue(v: unknown): string {
  return v === null ? 'null' : typeof v;
}
