// Serving a connection for a Node-style app (--interface node: Express and friends), which
// needs Node's own IncomingMessage and ServerResponse: an http.Server that never listens is
// handed the connection, while a tap on the socket records the exact bytes both ways.
// (WSGI and fetch apps are served by connection.ts, the tutorial's loop, without any of this.)
// The same deadlines (counted from the request's start, never from its last byte), the same
// answers to bad input (error-answer.ts) and the same events:
//   request → (transcript in) … transcript out → response, error for bad input, then close.
// Transcript events are coalesced: the bytes received so far are flushed just before each
// `request` event, and both directions just before each `response` event and at `close`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { now } from '../clock';
import { unwatch, watch } from '../deadlines';
import type { HeaderList } from '../events';
import { GatewayError, RequestAborted } from '../gateway/errors';
import { flushBeforeWire } from '../output';
import { checkHead, classifyParseError, type Refusal } from './bad-input';
import { firstLineLacksVersion } from './request-reader';
import { describeError } from './describe-error';
import { LimitedRequest } from './body-limit';
import { errorAnswer, errorHeaders } from './error-answer';
import { bodyBytesSent, MeteredResponse, sentHeaders } from './response-meter';
import { H } from './strings';
import { stopFeeding, tapOf, tapSocket, untap } from './tapped-socket';
import { Transcript, type Bytes } from './transcript';
import type { ConnectionContext, HttpLimits } from './types';

/**
 * Serves one accepted connection through Node's http server: request / response / transcript
 * / error events, then `close`. Resolves once the socket is closed. Never throws.
 */
export function serveNodeConnection(socket: Socket, ctx: ConnectionContext): Promise<void> {
  return new Promise<void>((resolve) => {
    new Connection(socket, ctx, resolve).start();
  });
}

/** One request and its response on this connection. */
class Exchange {
  /** We answered it ourselves (413, 408, 500): whatever the app does later is ignored. */
  answered = false;

  constructor(
    readonly connection: Connection,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {}

  /** The connection closed: the request and response objects outlive it a while; they need not hold on to it. */
  release(): void {
    if (this.res instanceof ServedResponse) this.res.exchange = null;
    if (this.req instanceof LimitedRequest) this.req.watcher = null;
  }

  /** body-limit.ts: a body with no length up front went past the limit. */
  bodyOverLimit(): void {
    this.connection.onBodyOverLimit(this);
  }
}

/** The http server's response class: metered (response-meter.ts) and tied to its exchange. */
class ServedResponse extends MeteredResponse<LimitedRequest> {
  exchange: Exchange | null = null;
}

// Listeners shared by every connection (`this` is the emitter), so serving one allocates no closures.
function onSocketError(this: Socket, err: NodeJS.ErrnoException): void {
  connectionOf(this)?.onSocketError(err);
}
function onSocketClose(this: Socket): void {
  connectionOf(this)?.onClose();
}
function onSocketFinish(this: Socket): void {
  connectionOf(this)?.onOurSideEnded();
}
function onResponseFinish(this: ServedResponse): void {
  const ex = this.exchange;
  if (ex) ex.connection.onResponseFinish(ex);
}
function onResponseError(this: ServedResponse, err: NodeJS.ErrnoException): void {
  const ex = this.exchange;
  if (ex) ex.connection.onResponseError(ex, err);
}

class Connection {
  private readonly tIn: Transcript;
  private readonly tOut: Transcript;
  private readonly inflight = new Set<Exchange>();
  private requests = 0;
  /** Bad input was answered (or the connection is being refused): nothing more is parsed. */
  private refused = false;
  /** Our side has finished sending; waiting for the client to close. */
  private closing = false;
  private closed = false;
  /** A socket error (ECONNRESET…) was reported: closing adds nothing to it. */
  private socketFailed = false;
  /** The socket's last 'error' (our listener runs before http's, which passes it on as clientError). */
  private socketError: Error | null = null;
  private bytesIn = 0;
  /** Responses finished. */
  private finished = 0;
  /** Bytes came after the one request of a connection without keep-alive: they were not parsed. */
  private ignoredInput = false;
  /** bytesIn when the last response finished; -1 before the first. Equal now → idle keep-alive. */
  private idleMark = -1;
  /** Where the deadlines of the request being read count from: the connection's start, then each request's first byte. */
  private requestStart: number;
  /** When the last response finished (a kept connection's idle clock), or our side ended (the linger clock). */
  private idleSince = 0;
  /** The connection's first bytes until its first line has ended (HTTP/0.9 check). */
  private firstBytes: Buffer | null = Buffer.alloc(0);
  /** When deadlines.ts next calls onDeadline; Infinity once closed. */
  deadline = Infinity;

  constructor(
    private readonly raw: Socket,
    private readonly ctx: ConnectionContext,
    private readonly resolve: () => void,
  ) {
    const { conn, limits, emit } = ctx;
    this.requestStart = ctx.acceptedAt ?? now();
    this.tIn = new Transcript(conn, 'in', limits.transcriptCap, emit);
    this.tOut = new Transcript(conn, 'out', limits.transcriptCap, emit);
  }

  start(): void {
    const { raw } = this;
    // A client that half-closes (shutdown(SHUT_WR) after its request) still gets its answer.
    raw.allowHalfOpen = true;
    if (raw.destroyed) {
      this.onClose();
      return;
    }
    // Ours before http's own listeners: onClose runs first, and onSocketError sees an error before http passes it on.
    tapSocket(raw, this, () => {
      raw.on('error', onSocketError);
      raw.on('close', onSocketClose);
      raw.on('finish', onSocketFinish);
      httpServerFor(this.ctx.limits).emit('connection', raw);
    });
    this.rearm();
  }

  // ── the tap (tapped-socket.ts) ─────────────────────────────────────────────
  in(chunk: Buffer): void {
    this.onBytesIn(chunk);
  }

  out(chunk: Bytes, owned: boolean): void {
    // The events so far (accept, request…) go out before the bytes they lead to.
    flushBeforeWire();
    this.tOut.record(chunk, owned);
  }

  /** Every request seen was read to its end and answered or is being answered; nothing was refused. */
  closesAtOnce(): boolean {
    if (this.refused || this.ignoredInput || this.requests !== this.finished + this.inflight.size) return false;
    for (const ex of this.inflight) if (!ex.req.complete) return false;
    return true;
  }

  // ── requests ─────────────────────────────────────────────────────────────
  /** Expect: 100-continue exists so a too-large body can be refused before it is sent. */
  onCheckContinue(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.checkRequest(req);
    if (!refusal) res.writeContinue();
    this.onRequest(req, res, refusal);
  }

  onCheckExpectation(req: IncomingMessage, res: ServerResponse): void {
    this.onRequest(req, res, { status: 417, code: 'EXPECTATION_FAILED', message: H.expectationFailed(String(req.headers.expect)) });
  }

  onRequest(req: IncomingMessage, res: ServerResponse, refusal: Refusal | null = null): void {
    this.requests++;
    // Without keep-alive the connection closes after its first response: requests pipelined
    // behind it are not served (Node closes the socket once the first response is finished).
    if (this.refused || (!this.ctx.keepAlive && this.requests > 1)) return;
    const ex = new Exchange(this, req, res);
    if (res instanceof ServedResponse) res.exchange = ex;
    this.inflight.add(ex);
    const { conn, hooks } = this.ctx;
    hooks?.requestStarted?.(conn);
    this.emitRequest(req);
    if (!this.ctx.keepAlive || hooks?.mayKeepOpen?.(conn) === false) res.shouldKeepAlive = false;
    res.on('finish', onResponseFinish);
    res.on('error', onResponseError);
    const bad = refusal ?? this.checkRequest(req);
    if (bad) {
      this.answer(ex, bad);
      return;
    }
    this.limitBody(ex);
    void this.runApp(ex);
  }

  private emitRequest(req: IncomingMessage): void {
    this.tIn.flush();
    const headers: HeaderList = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    this.ctx.emit({
      type: 'request',
      conn: this.ctx.conn,
      method: req.method ?? '',
      path: req.url ?? '',
      version: `HTTP/${req.httpVersion}`,
      headers,
      via: 'http',
    });
  }

  /** The checks llhttp does not make (bad-input.ts, the same as for every other app). */
  private checkRequest(req: IncomingMessage): Refusal | null {
    let hosts = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'host') hosts++;
    const length = req.headers['content-length'];
    return checkHead(
      {
        method: req.method ?? '',
        versionMajor: req.httpVersionMajor,
        versionMinor: req.httpVersionMinor,
        hosts,
        expect: req.headers.expect,
        contentLength: length === undefined ? undefined : Number(length),
      },
      this.ctx.limits.maxBodyBytes,
    );
  }

  /** A chunked body has no length up front: past the limit while it arrives, answer 413 (body-limit.ts drops the rest). */
  private limitBody(ex: Exchange): void {
    if (!(ex.req instanceof LimitedRequest)) return;
    ex.req.bodyLimit = this.ctx.limits.maxBodyBytes;
    ex.req.watcher = ex;
  }

  onBodyOverLimit(ex: Exchange): void {
    this.answer(ex, { status: 413, code: 'BODY_TOO_LARGE', message: H.bodyTooLarge(this.ctx.limits.maxBodyBytes, null) });
  }

  private async runApp(ex: Exchange): Promise<void> {
    try {
      await this.ctx.app.handler(ex.req, ex.res, { conn: this.ctx.conn, emit: this.ctx.emit });
    } catch (err) {
      this.onAppError(ex, err);
    }
  }

  private onAppError(ex: Exchange, err: unknown): void {
    if (ex.answered || err instanceof RequestAborted) return;
    const code = err instanceof GatewayError ? err.code : 'APP_ERROR';
    this.ctx.hooks?.appFailed?.(this.ctx.conn);
    if (ex.res.headersSent) {
      ex.answered = true;
      this.ctx.emit({ type: 'error', conn: this.ctx.conn, code, message: H.appFailedAfterHeaders(describeError(err)) });
      // The status line is out: the only way left to say "this response is broken" is to cut
      // it — unless the app had already ended it.
      if (!ex.res.writableEnded) this.raw.destroy();
      return;
    }
    this.answer(ex, { status: 500, code, message: err instanceof GatewayError ? err.message : H.appFailed(describeError(err)) });
  }

  /** Answers a request ourselves (bad input, app failure) and closes the connection after it. */
  private answer(ex: Exchange, refusal: Refusal): void {
    if (ex.answered) return;
    ex.answered = true;
    const { res } = ex;
    this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: refusal.code, status: res.headersSent ? undefined : (refusal.status ?? undefined), message: refusal.message });
    if (res.headersSent || refusal.status === null) {
      if (!res.writableEnded) this.raw.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    const answer = errorAnswer(refusal.status, refusal.message);
    res.shouldKeepAlive = false;
    res.writeHead(refusal.status, errorHeaders(answer));
    res.end(answer.body);
  }

  onResponseFinish(ex: Exchange): void {
    this.inflight.delete(ex);
    this.finished++;
    this.ctx.hooks?.requestDone?.(this.ctx.conn);
    this.idleSince = now();
    this.idleMark = this.bytesIn;
    this.tIn.flush();
    this.tOut.flush();
    this.ctx.emit({
      type: 'response',
      conn: this.ctx.conn,
      status: ex.res.statusCode,
      headers: sentHeaders(ex.res),
      bytes: bodyBytesSent(ex.req, ex.res),
    });
    // Bad input arrived behind this (keep-alive) request: close now that it is answered.
    if (this.refused && this.inflight.size === 0) this.raw.end();
  }

  onResponseError(ex: Exchange, err: NodeJS.ErrnoException): void {
    if (ex.answered || this.closed) return;
    this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: err.code, message: H.responseError(err) });
  }

  // ── bad input that never became a request ──────────────────────────────────
  onClientError(err: NodeJS.ErrnoException & { reason?: string }): void {
    if (this.refused || this.closing || this.closed) return;
    if (!err.code?.startsWith('HPE_')) {
      // The socket's own error reaches http too: onSocketError has already judged it.
      if (err === this.socketError) return;
      // Any other failure that is not about the client's bytes.
      this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: err.code, message: H.socketError(err) });
      return;
    }
    // Without keep-alive, bytes after the one request are not read as a request at all.
    if (!this.ctx.keepAlive && this.requests >= 1) {
      this.ignoredInput = true;
      stopFeeding(this.raw);
      return;
    }
    const refusal = classifyParseError(err, this.ctx.limits.maxHeaderBytes);
    // Bad input inside the body of the request being read: that request is answered 400 now
    // (its app is waiting for a body that will never be whole).
    const reading = [...this.inflight].find((ex) => !ex.req.complete && !ex.answered);
    if (reading) {
      this.refused = true;
      stopFeeding(this.raw);
      this.answer(reading, refusal);
      return;
    }
    if (this.inflight.size > 0) {
      // Garbage pipelined behind a request still being answered: report it, close after the answer.
      this.refused = true;
      stopFeeding(this.raw);
      this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: refusal.code, message: refusal.message });
      return;
    }
    this.refuseRaw(refusal);
  }

  /** CONNECT asks for a tunnel; Node detaches its parser and hands us the socket. */
  onConnectMethod(req: IncomingMessage): void {
    this.requests++;
    this.emitRequest(req);
    this.refuseRaw({ status: 405, code: 'CONNECT_NOT_SUPPORTED', message: H.connectNotAllowed() });
    this.raw.resume();
  }

  /** Answers with a complete response written straight to the socket, then closes. */
  private refuseRaw(refusal: Refusal): void {
    if (this.refused) return;
    this.refused = true;
    this.idleSince = now();
    stopFeeding(this.raw);
    const { conn, emit } = this.ctx;
    const writable = this.raw.writable && !this.raw.writableEnded;
    const status = refusal.status !== null && writable ? refusal.status : undefined;
    emit({ type: 'error', conn, code: refusal.code, status, message: refusal.message });
    if (status !== undefined) {
      const answer = errorAnswer(status, refusal.message);
      this.tIn.flush();
      this.raw.write(answer.bytes, (err) => {
        this.tOut.flush();
        if (!err) emit({ type: 'response', conn, status, headers: answer.headers, bytes: answer.body.length });
      });
    }
    if (!this.raw.writableEnded) this.raw.end();
  }

  // ── deadlines: counted from the request's start, never from its last byte ──
  private onBytesIn(chunk: Buffer): void {
    // The first byte of a kept connection's next request starts that request's clock.
    if (this.bytesIn === this.idleMark && this.inflight.size === 0) this.requestStart = now();
    this.bytesIn += chunk.length;
    // A chunk read from a socket is fresh memory (libuv reads into a new buffer each time).
    this.tIn.record(chunk, true);
    if (this.firstBytes !== null) this.checkFirstLine(chunk);
  }

  private checkFirstLine(chunk: Buffer): void {
    const bytes = this.firstBytes!.length ? Buffer.concat([this.firstBytes!, chunk]) : chunk;
    const verdict = firstLineLacksVersion(bytes);
    this.firstBytes = verdict === null && bytes.length <= this.ctx.limits.maxHeaderBytes ? bytes : null;
    // Told at once, not after the read timeout: llhttp would wait for headers.
    if (verdict) {
      queueMicrotask(() => {
        // Unless the parser has made a request of it already (it was followed by an empty line).
        if (this.requests === 0) this.refuseRaw({ status: 400, code: 'HTTP_0_9', message: H.http09() });
      });
    }
  }

  /** When the deadline of what the connection is doing now passes. */
  private dueAt(): number {
    const { readTimeoutMs, bodyTimeoutMs } = this.ctx.limits;
    // We said everything and ended our side: the client has this long to close its side.
    if (this.closing || this.refused) return this.idleSince + readTimeoutMs;
    // The app has the whole request and is working on its answer: not the client's time.
    if (this.appBusy()) return Infinity;
    if (this.idle()) return this.idleSince + readTimeoutMs;
    const reading = [...this.inflight].some((ex) => !ex.answered && !ex.req.complete);
    return this.requestStart + (reading ? bodyTimeoutMs : readTimeoutMs);
  }

  private rearm(): void {
    if (this.closed) return;
    const due = this.dueAt();
    // An app at work is looked at again later: it may finish, and the next deadline start.
    this.deadline = due === Infinity ? now() + this.ctx.limits.readTimeoutMs : due;
    watch(this);
  }

  onDeadline(): void {
    this.deadline = Infinity;
    if (this.closed) return;
    if (now() >= this.dueAt()) this.onTimeout();
    this.rearm();
  }

  /** A kept connection between requests. */
  private idle(): boolean {
    return this.requests > 0 && this.bytesIn === this.idleMark && this.inflight.size === 0;
  }

  /** The app has the whole request and is working on its answer: not the client's fault. */
  private appBusy(): boolean {
    for (const ex of this.inflight) if (!ex.answered && ex.req.complete) return true;
    return false;
  }

  private onTimeout(): void {
    const { readTimeoutMs, bodyTimeoutMs } = this.ctx.limits;
    if (this.closing || this.refused) {
      // We said everything and ended our side; the client never closed its side.
      this.raw.destroy();
      return;
    }
    if (this.idle()) {
      // An idle keep-alive connection: closing it is routine, not an error.
      this.raw.end();
      return;
    }
    const stalled = [...this.inflight].find((ex) => !ex.answered);
    if (stalled) {
      this.refused = true;
      stopFeeding(this.raw);
      this.answer(stalled, { status: 408, code: 'READ_TIMEOUT', message: H.bodyTimeout(bodyTimeoutMs) });
      return;
    }
    const partial = this.bytesIn > Math.max(0, this.idleMark);
    this.refuseRaw({ status: 408, code: 'READ_TIMEOUT', message: partial ? H.readTimeoutStalled(readTimeoutMs) : H.readTimeoutIdle(readTimeoutMs) });
  }

  // ── the end ──────────────────────────────────────────────────────────────
  onOurSideEnded(): void {
    this.closing = true;
    this.idleSince = now();
  }

  onSocketError(err: NodeJS.ErrnoException): void {
    this.socketError = err;
    // A reset after every request was answered loses nothing: not worth an error.
    if (this.closed || (this.inflight.size === 0 && (this.requests > 0 || this.refused))) return;
    this.socketFailed = true;
    this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: err.code, message: H.socketError(err) });
  }

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.deadline = Infinity;
    unwatch(this);
    const { conn, emit } = this.ctx;
    if (!this.socketFailed && this.unanswered()) emit({ type: 'error', conn, code: 'CLIENT_GONE', message: H.clientGone() });
    this.tIn.flush();
    this.tOut.flush();
    emit({ type: 'close', conn });
    untap(this.raw);
    // Requests that never finished are done too, as far as the worker's bookkeeping goes.
    for (let i = 0; i < this.inflight.size; i++) this.ctx.hooks?.requestDone?.(conn);
    for (const ex of this.inflight) ex.release();
    this.inflight.clear();
    this.resolve();
  }

  /** A request the app was still answering when the connection went. */
  private unanswered(): boolean {
    for (const ex of this.inflight) if (!ex.answered && !ex.res.writableFinished) return true;
    return false;
  }
}

// ── one http.Server per set of limits, shared by every connection of the process ──
// It never listens: each connection is handed to it with emit('connection'). Sharing it keeps
// the per-connection cost down (an http.Server is not cheap to build); its events find their
// connection through the socket's tap.
type HttpServer = Server<typeof LimitedRequest, typeof ServedResponse>;
const servers = new Map<string, HttpServer>();

function connectionOf(socket: unknown): Connection | undefined {
  const tap = tapOf(socket);
  return tap instanceof Connection ? tap : undefined;
}

function httpServerFor(limits: HttpLimits): HttpServer {
  const key = `${limits.maxHeaderBytes}/${limits.readTimeoutMs}`;
  const known = servers.get(key);
  if (known) return known;
  const server: HttpServer = createServer<typeof LimitedRequest, typeof ServedResponse>({
    IncomingMessage: LimitedRequest,
    ServerResponse: ServedResponse,
    maxHeaderSize: limits.maxHeaderBytes,
    insecureHTTPParser: false,
    // Checked by Connection.onRequest instead, so a missing Host gets an `error` event like any bad input.
    requireHostHeader: false,
    keepAliveTimeout: limits.readTimeoutMs,
  });
  // Undocumented but long-standing: answer a request even after the client half-closed.
  (server as HttpServer & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => connectionOf(req.socket)?.onRequest(req, res));
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => connectionOf(req.socket)?.onCheckContinue(req, res));
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => connectionOf(req.socket)?.onCheckExpectation(req, res));
  server.on('connect', (req: IncomingMessage) => connectionOf(req.socket)?.onConnectMethod(req));
  server.on('clientError', (err: Error, socket: unknown) => connectionOf(socket)?.onClientError(err));
  servers.set(key, server);
  return server;
}
