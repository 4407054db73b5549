// Serving a connection straight on its file descriptor — the seed's handle_one_request by
// hand: the request is taken with recv(), the app answers through its gateway, the answer
// goes out with send() and the connection is closed. No net.Socket, no IncomingMessage or
// ServerResponse: for a one-request connection those cost more than everything else together.
//
// It serves the common case only: one plain request (plain-request.ts), already received
// whole, on a connection that closes after its answer. Its first look at the bytes is a
// MSG_PEEK, so when the request is anything else nothing has been taken, and Node's http
// server (connection.ts) serves the connection, with its answer for every kind of bad input.
//
// The events are the same as on the other path: transcript in, request, transcript out,
// response, close — or an `error` for an app that fails (500) or a client that is gone.
// One difference, the seed's: a client that leaves while the app is working is noticed when
// the answer is sent, not before (nothing reads the connection meanwhile).
import type { Emit } from '../emit';
import type { HeaderList, Peer } from '../events';
import { GatewayError } from '../gateway/errors';
import type { GatewayHandler, GatewayRequest, GatewayResponse } from '../gateway/exchange';
import { flushBeforeWire } from '../output';
import { describeError } from './describe-error';
import type { PlainRequest } from './plain-request';
import { bodyless, buildHead, parseHead, type Framing } from './response-head';
import { SERVER_SOFTWARE, httpDate } from './server-software';
import { H } from './strings';
import { Transcript } from './transcript';
import type { ConnectionContext } from './types';

/**
 * How the direct path reaches the connection's fd: through koffi's recv/send/poll
 * (direct-peek.ts: the iterative model, prefork workers) or through Node's fs calls
 * (direct-read.ts: a fork-model worker, which does not load koffi to start faster).
 */
export interface FdIO {
  readonly fd: number;
  /** Bytes the kernel took; -1 when it took none (its buffer is full). Throws an errno error (EPIPE, ECONNRESET…). */
  send(data: Uint8Array): number;
  /** Resolves true when the fd can take more, false when the wait was cancelled. */
  writable(): Promise<boolean>;
  /** Takes bytes that arrived after the request, if any (null: none yet, end of file, or a reset). */
  takeUnread(): Buffer | null;
  /** Cancels a pending writable(). */
  cancel(): void;
  /** close(2): the seed's last call. */
  close(): void;
}

/** A connection being served directly. */
export interface DirectServing {
  /** Settles when the connection is closed (never rejects). */
  done: Promise<void>;
  /** Closes the connection now, answered or not (the server is stopping). */
  cut(): void;
}

/**
 * Serves `req` — taken whole from the connection already (`bytes`, for the transcript) — and
 * closes the connection. The caller has emitted `accept`.
 */
export function startDirect(io: FdIO, peer: Peer, ctx: ConnectionContext, req: PlainRequest, bytes: Buffer): DirectServing {
  const gateway = ctx.app.gateway;
  if (!gateway) throw new Error('startDirect: the app has no gateway');
  const connection = new DirectConnection(io, peer, ctx, req);
  connection.start(gateway, bytes);
  return connection;
}

class DirectConnection implements DirectServing, GatewayRequest, GatewayResponse {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private readonly tIn: Transcript;
  private readonly tOut: Transcript;
  private readonly emit: Emit;

  // ── the response ──
  private headText = '';
  private framing: Framing = 'none';
  private pendingHead: { status: number; reason: string | undefined; headers: string[] } | null = null;
  private status = 200;
  private ended = false;
  /** We answered ourselves (a 500): the app's later writes are ignored. */
  private sealed = false;
  private bodyBytes = 0;
  private readonly queue: Uint8Array[] = [];
  private drainWaiters: (() => void)[] = [];
  private goneListeners: (() => void)[] = [];
  private waitingWritable = false;
  private closed = false;
  headersSent = false;
  gone = false;

  constructor(
    private readonly io: FdIO,
    private readonly peer: Peer,
    private readonly ctx: ConnectionContext,
    private readonly req: PlainRequest,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.emit = ctx.emit;
    this.tIn = new Transcript(ctx.conn, 'in', ctx.limits.transcriptCap, ctx.emit);
    this.tOut = new Transcript(ctx.conn, 'out', ctx.limits.transcriptCap, ctx.emit);
  }

  start(gateway: GatewayHandler, bytes: Buffer): void {
    this.tIn.record(bytes, true);
    this.tIn.flush();
    const { req } = this;
    const headers: HeaderList = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    this.emit({ type: 'request', conn: this.ctx.conn, method: req.method, path: req.url, version: `HTTP/${this.httpVersion}`, headers, via: 'direct' });
    let running: Promise<void>;
    try {
      running = gateway(this, this, { conn: this.ctx.conn, emit: this.emit });
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
    return this.peer.address;
  }
  get remotePort(): number {
    return this.peer.port;
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
    const hasBody = !bodyless(this.req.method, head.status);
    const built = buildHead(head.status, head.reason, head.headers, httpDate(), hasBody, wholeBody, this.req.versionMinor >= 1);
    this.headText = built.text;
    this.framing = built.framing;
    this.queue.push(Buffer.from(built.text, 'latin1'));
  }

  private queueBody(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.framing === 'none') return;
    this.bodyBytes += chunk.length;
    if (this.framing === 'chunked') this.queue.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, CRLF);
    else this.queue.push(chunk);
  }

  /** Hands the queued bytes to the kernel; what it cannot take now waits for POLLOUT. */
  private flush(): void {
    while (this.queue.length > 0 && !this.gone) {
      const data = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
      this.queue.length = 0;
      // The events so far (accept, request…) go out before the bytes they lead to.
      flushBeforeWire();
      let n: number;
      try {
        n = this.io.send(data);
      } catch (err) {
        this.onSendError(err);
        return;
      }
      if (n > 0) this.tOut.record(data.subarray(0, n), true);
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
    if (this.ended) this.onFinished();
  }

  private waitWritable(): void {
    if (this.waitingWritable) return;
    this.waitingWritable = true;
    this.io.writable().then(
      (ready) => {
        this.waitingWritable = false;
        if (ready) this.flush();
      },
      (err: unknown) => {
        this.waitingWritable = false;
        this.onSendError(err);
      },
    );
  }

  private onSendError(err: unknown): void {
    if (this.gone) return;
    this.emit({ type: 'error', conn: this.ctx.conn, code: (err as NodeJS.ErrnoException).code, message: H.socketError(err) });
    this.goAway();
    this.close();
  }

  /** The response cannot reach the client any more: whoever waits on it is told. */
  private goAway(): void {
    this.gone = true;
    this.queue.length = 0;
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
    for (const l of this.goneListeners) l();
    this.goneListeners = [];
  }

  private onFinished(): void {
    this.tIn.flush();
    this.tOut.flush();
    this.emit({ type: 'response', conn: this.ctx.conn, status: this.status, headers: parseHead(this.headText), bytes: this.bodyBytes });
    this.close();
  }

  // ── failures ──
  private onAppError(err: unknown): void {
    if (this.sealed || this.gone || this.closed) return;
    const code = err instanceof GatewayError ? err.code : 'APP_ERROR';
    this.sealed = true;
    if (this.headersSent) {
      this.emit({ type: 'error', conn: this.ctx.conn, code, message: H.appFailedAfterHeaders(describeError(err)) });
      // The status line is out: the only way left to say "this response is broken" is to cut
      // it — unless the app had already ended it.
      if (!this.ended) {
        this.goAway();
        this.close();
      }
      return;
    }
    const message = err instanceof GatewayError ? err.message : H.appFailed(describeError(err));
    this.emit({ type: 'error', conn: this.ctx.conn, code, status: 500, message });
    const body = Buffer.from(`${message}\n`);
    this.pendingHead = {
      status: 500,
      reason: undefined,
      headers: ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length), 'Connection', 'close', 'Server', SERVER_SOFTWARE],
    };
    this.finishWith(body);
  }

  cut(): void {
    if (this.closed) return;
    this.goAway();
    this.close();
  }

  // ── the end ──
  /**
   * close(), the seed's last call — unless the client sent bytes we did not read: closing
   * then would send a reset that can destroy the answer in flight, so the connection lingers
   * until the client closes its side (or the read timeout), as on the other path.
   */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.io.cancel();
    const unread = this.gone ? null : this.io.takeUnread();
    if (unread) {
      this.tIn.record(unread, true);
      void this.linger();
      return;
    }
    this.io.close();
    this.onClosed();
  }

  /** Rare: node:net is loaded only now (a fork-model worker does not load it to start faster). */
  private async linger(): Promise<void> {
    const { Socket } = await import('node:net');
    let socket: InstanceType<typeof Socket>;
    try {
      socket = new Socket({ fd: this.io.fd, readable: true, writable: true });
    } catch {
      this.io.close();
      this.onClosed();
      return;
    }
    socket.on('data', (chunk: Buffer) => this.tIn.record(chunk, true));
    socket.on('end', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      this.onClosed();
    });
    const timer = setTimeout(() => socket.destroy(), this.ctx.limits.readTimeoutMs);
    socket.end();
  }

  private onClosed(): void {
    this.tIn.flush();
    this.tOut.flush();
    this.emit({ type: 'close', conn: this.ctx.conn });
    this.resolveDone();
  }
}

const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
