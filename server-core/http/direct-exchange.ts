// One request and its answer on the direct path, without IncomingMessage or ServerResponse:
// the request was read whole already (plain-request.ts), the app answers through its gateway,
// and the answer goes to the wire through a WireOut. The connection that holds the exchange
// decides what follows it: close (direct.ts, the seed's one request per connection) or wait
// for the next request (kept.ts, keep-alive).
//
// Events, as on Node's path: transcript in, request, (transcript out,) response — or an
// `error` for an app that fails (500) or a client that is gone.
import type { HeaderList, Peer } from '../events';
import { GatewayError } from '../gateway/errors';
import type { GatewayHandler, GatewayRequest, GatewayResponse } from '../gateway/exchange';
import { flushBeforeWire } from '../output';
import { describeError } from './describe-error';
import type { PlainRequest } from './plain-request';
import { bodyless, buildHead, parseHead, type Framing } from './response-head';
import { SERVER_SOFTWARE, httpDate } from './server-software';
import { H } from './strings';
import type { Transcript } from './transcript';
import type { ConnectionContext } from './types';

/** Where an exchange's answer goes: the connection's fd (koffi or fs) or its net.Socket. */
export interface WireOut {
  /** Bytes taken; -1 when none (the way out is full). Throws an errno error (EPIPE, ECONNRESET…). */
  send(data: Uint8Array): number;
  /** Resolves true when more can be sent, false when the wait was cancelled. */
  writable(): Promise<boolean>;
  /** Cancels a pending writable(). */
  cancel(): void;
}

/** The connection an exchange runs on. */
export interface ExchangeHost {
  readonly out: WireOut;
  readonly tIn: Transcript;
  readonly tOut: Transcript;
  readonly peer: Peer;
  readonly ctx: ConnectionContext;
  /**
   * The answer is complete and handed to the wire (the `response` event is out). `keepOpen`:
   * its head told the client the connection stays open for another request.
   */
  answered(keepOpen: boolean): void;
  /** The answer cannot be completed (the app failed after its headers, a send failed): close now. */
  broken(): void;
}

export class DirectExchange implements GatewayRequest, GatewayResponse {
  private headText = '';
  private framing: Framing = 'none';
  private keepOpen = false;
  private pendingHead: { status: number; reason: string | undefined; headers: string[] } | null = null;
  private status = 200;
  private ended = false;
  /** We answered ourselves (a 500): the app's later writes are ignored. */
  private sealed = false;
  /** The answer is complete, or broken: the connection has been told. */
  private over = false;
  private bodyBytes = 0;
  private readonly queue: Uint8Array[] = [];
  private drainWaiters: (() => void)[] = [];
  private goneListeners: (() => void)[] = [];
  private waitingWritable = false;
  headersSent = false;
  gone = false;

  constructor(
    private readonly link: ExchangeHost,
    private readonly req: PlainRequest,
  ) {}

  /** The request's bytes are recorded in the connection's tIn already. */
  start(gateway: GatewayHandler): void {
    const { req, link } = this;
    const { ctx } = link;
    link.tIn.flush();
    const headers: HeaderList = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    ctx.emit({ type: 'request', conn: ctx.conn, method: req.method, path: req.url, version: `HTTP/${this.httpVersion}`, headers, via: 'direct' });
    let running: Promise<void>;
    try {
      running = gateway(this, this, { conn: ctx.conn, emit: ctx.emit });
    } catch (err) {
      running = Promise.reject(err);
    }
    running.catch((err: unknown) => this.onAppError(err));
  }

  // ── GatewayRequest ──
  get method(): string {
    return this.req.method;
  }
  get url(): string {
    return this.req.url;
  }
  get httpVersion(): string {
    return `${this.req.versionMajor}.${this.req.versionMinor}`;
  }
  get rawHeaders(): readonly string[] {
    return this.req.rawHeaders;
  }
  get host(): string | undefined {
    return this.req.host;
  }
  get remoteAddress(): string {
    return this.link.peer.address;
  }
  get remotePort(): number {
    return this.link.peer.port;
  }
  body(): Promise<Buffer> {
    return Promise.resolve(this.req.body);
  }

  // ── GatewayResponse ──
  writeHead(status: number, reason: string | undefined, headers: string[]): void {
    if (this.sealed || this.headersSent) return;
    this.pendingHead = { status, reason, headers };
  }

  write(chunk: Uint8Array): boolean {
    if (this.sealed || this.ended || this.gone) return !this.gone;
    this.sendHead(null);
    this.queueBody(chunk);
    this.flush();
    return this.queue.length === 0;
  }

  end(chunk?: Uint8Array): void {
    if (this.sealed || this.ended || this.gone) return;
    this.finishWith(chunk);
  }

  drained(): Promise<void> {
    if (this.queue.length === 0 || this.gone) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  onGone(listener: () => void): void {
    this.goneListeners.push(listener);
  }

  // ── writing ──
  private finishWith(chunk: Uint8Array | undefined): void {
    this.ended = true;
    this.sendHead(chunk ? chunk.length : 0);
    if (chunk) this.queueBody(chunk);
    if (this.framing === 'chunked') this.queue.push(LAST_CHUNK);
    this.flush();
  }

  /** The head goes out with the first body bytes (or at the end), as Node's implicit header does. */
  private sendHead(wholeBody: number | null): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const head = this.pendingHead ?? { status: 200, reason: undefined, headers: [] };
    this.status = head.status;
    const { req } = this;
    const { ctx } = this.link;
    const hasBody = !bodyless(req.method, head.status);
    // Read now, not at the start: a prefork worker whose request budget ran out meanwhile says close.
    const keepAlive = ctx.keepAlive && req.keepAlive ? ctx.limits.readTimeoutMs : null;
    const built = buildHead(head.status, head.reason, head.headers, httpDate(), hasBody, wholeBody, req.versionMinor >= 1, keepAlive);
    this.headText = built.text;
    this.framing = built.framing;
    this.keepOpen = built.keepOpen;
    this.queue.push(Buffer.from(built.text, 'latin1'));
  }

  private queueBody(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.framing === 'none') return;
    this.bodyBytes += chunk.length;
    if (this.framing === 'chunked') this.queue.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, CRLF);
    else this.queue.push(chunk);
  }

  /** Hands the queued bytes to the wire; what it cannot take now waits until it can. */
  private flush(): void {
    const { out, tOut } = this.link;
    while (this.queue.length > 0 && !this.gone) {
      const data = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
      this.queue.length = 0;
      // The events so far (accept, request…) go out before the bytes they lead to.
      flushBeforeWire();
      let n: number;
      try {
        n = out.send(data);
      } catch (err) {
        this.fail(err);
        return;
      }
      if (n > 0) tOut.record(data.subarray(0, n), true);
      if (n < data.length) {
        this.queue.push(n > 0 ? data.subarray(n) : data);
        this.waitWritable();
        return;
      }
    }
    if (this.gone) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    if (this.ended && !this.over) this.onAnswered();
  }

  private waitWritable(): void {
    if (this.waitingWritable) return;
    this.waitingWritable = true;
    this.link.out.writable().then(
      (ready) => {
        this.waitingWritable = false;
        if (ready) this.flush();
      },
      (err: unknown) => {
        this.waitingWritable = false;
        this.fail(err);
      },
    );
  }

  /** The connection failed under the answer (a send error, a reset): said once, then the connection closes. */
  fail(err: unknown): void {
    if (this.gone || this.over) return;
    const { ctx } = this.link;
    ctx.emit({ type: 'error', conn: ctx.conn, code: (err as NodeJS.ErrnoException).code, message: H.socketError(err) });
    this.goAway();
    this.breakOff();
  }

  /** The response cannot reach the client any more: whoever waits on it is told. */
  goAway(): void {
    if (this.gone) return;
    this.gone = true;
    this.queue.length = 0;
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
    for (const l of this.goneListeners) l();
    this.goneListeners = [];
  }

  private onAnswered(): void {
    this.over = true;
    const { ctx, tIn, tOut } = this.link;
    tIn.flush();
    tOut.flush();
    ctx.emit({ type: 'response', conn: ctx.conn, status: this.status, headers: parseHead(this.headText), bytes: this.bodyBytes });
    this.link.answered(this.keepOpen);
  }

  private breakOff(): void {
    if (this.over) return;
    this.over = true;
    this.link.broken();
  }

  // ── failures ──
  private onAppError(err: unknown): void {
    if (this.sealed || this.gone || this.over) return;
    const { ctx } = this.link;
    const code = err instanceof GatewayError ? err.code : 'APP_ERROR';
    this.sealed = true;
    if (this.headersSent) {
      ctx.emit({ type: 'error', conn: ctx.conn, code, message: H.appFailedAfterHeaders(describeError(err)) });
      // The status line is out: the only way left to say "this response is broken" is to cut
      // it — unless the app had already ended it.
      if (!this.ended) {
        this.goAway();
        this.breakOff();
      }
      return;
    }
    const message = err instanceof GatewayError ? err.message : H.appFailed(describeError(err));
    ctx.emit({ type: 'error', conn: ctx.conn, code, status: 500, message });
    const body = Buffer.from(`${message}\n`);
    this.pendingHead = {
      status: 500,
      reason: undefined,
      headers: ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length), 'Connection', 'close', 'Server', SERVER_SOFTWARE],
    };
    this.finishWith(body);
  }
}

const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
