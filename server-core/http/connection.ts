// Serving one accepted connection (the seed's handle_one_request, grown up): Node's own HTTP
// machinery parses it — an http.Server that never listens is handed the connection — while a
// tap on the socket records the exact bytes both ways. Everything that happens becomes an event:
//   request → (transcript in) … transcript out → response, error for bad input, then close.
// Transcript events are coalesced: the bytes received so far are flushed just before each
// `request` event, and both directions just before each `response` event and at `close`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HeaderList } from '../events';
import { GatewayError, RequestAborted } from '../gateway/errors';
import { flushBeforeWire } from '../output';
import { classifyParseError, rawAnswer, type Refusal } from './bad-input';
import { describeError } from './describe-error';
import { LimitedRequest } from './body-limit';
import { unwatch, watch } from './deadlines';
import { bodyBytesSent, MeteredResponse, sentHeaders } from './response-meter';
import { SERVER_SOFTWARE } from './server-software';
import { H } from './strings';
import { stopFeeding, tapOf, tapSocket, untap } from './tapped-socket';
import { Transcript, type Bytes } from './transcript';
import type { ConnectionContext, HttpLimits, ServeConnection } from './types';

export const serveConnection: ServeConnection = (socket, ctx) =>
  new Promise<void>((resolve) => {
    new Connection(socket, ctx, resolve).start();
  });

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
  private lastActivity = performance.now();
  /** When the read timeout is next checked (deadlines.ts); Infinity once closed. */
  deadline = Infinity;

  constructor(
    private readonly raw: Socket,
    private readonly ctx: ConnectionContext,
    private readonly resolve: () => void,
  ) {
    const { conn, limits, emit } = ctx;
    if (ctx.acceptedAt !== undefined) this.lastActivity = ctx.acceptedAt;
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
    this.armTimer(this.ctx.limits.readTimeoutMs - (performance.now() - this.lastActivity));
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
    this.lastActivity = performance.now();
    this.emitRequest(req);
    if (!this.ctx.keepAlive) res.shouldKeepAlive = false;
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

  /** The checks llhttp does not make. */
  private checkRequest(req: IncomingMessage): Refusal | null {
    if (req.httpVersionMajor === 0) return { status: 400, code: 'HTTP_0_9', message: H.http09() };
    if (req.httpVersionMajor !== 1) {
      return { status: 505, code: 'HTTP_VERSION', message: H.versionNotSupported(req.httpVersion) };
    }
    if (req.httpVersionMinor >= 1 && req.headers.host === undefined) {
      return { status: 400, code: 'MISSING_HOST', message: H.missingHost() };
    }
    const max = this.ctx.limits.maxBodyBytes;
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > max) {
      return { status: 413, code: 'BODY_TOO_LARGE', message: H.bodyTooLarge(max, Number(length)) };
    }
    return null;
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
    const body = `${refusal.message}\n`;
    res.shouldKeepAlive = false;
    res.writeHead(refusal.status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
      Server: SERVER_SOFTWARE,
    });
    res.end(body);
  }

  onResponseFinish(ex: Exchange): void {
    this.inflight.delete(ex);
    this.finished++;
    this.lastActivity = performance.now();
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
    stopFeeding(this.raw);
    const { conn, emit } = this.ctx;
    const writable = this.raw.writable && !this.raw.writableEnded;
    const status = refusal.status !== null && writable ? refusal.status : undefined;
    emit({ type: 'error', conn, code: refusal.code, status, message: refusal.message });
    if (status !== undefined) {
      const answer = rawAnswer(status, refusal.message);
      this.tIn.flush();
      this.raw.write(answer.bytes, (err) => {
        this.tOut.flush();
        if (!err) emit({ type: 'response', conn, status, headers: answer.headers, bytes: answer.bodyBytes });
      });
    }
    if (!this.raw.writableEnded) this.raw.end();
  }

  // ── the read timeout ─────────────────────────────────────────────────────
  private onBytesIn(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    // Once we have said our last word, bytes still arriving (a refused body) do not keep the
    // connection alive: the linger time counts from our end.
    if (!this.closing && !this.refused) this.lastActivity = performance.now();
    // A chunk read from a socket is fresh memory (libuv reads into a new buffer each time).
    this.tIn.record(chunk, true);
  }

  private armTimer(ms: number): void {
    this.deadline = performance.now() + ms;
    watch(this);
  }

  /** One deadline, re-armed lazily: it checks how long the connection has been idle when it comes. */
  onDeadline(): void {
    this.deadline = Infinity;
    if (this.closed) return;
    const limit = this.ctx.limits.readTimeoutMs;
    if (this.appBusy()) return this.armTimer(limit);
    const idle = performance.now() - this.lastActivity;
    if (idle < limit) return this.armTimer(limit - idle);
    this.onReadTimeout();
    if (!this.closed) this.armTimer(limit);
  }

  /** The app has the whole request and is working on its answer: not the client's fault. */
  private appBusy(): boolean {
    for (const ex of this.inflight) if (!ex.answered && ex.req.complete) return true;
    return false;
  }

  private onReadTimeout(): void {
    const limit = this.ctx.limits.readTimeoutMs;
    if (this.closing || this.refused) {
      // We said everything and ended our side; the client never closed its side.
      this.raw.destroy();
      return;
    }
    const stalled = [...this.inflight].find((ex) => !ex.answered);
    if (stalled) {
      this.answer(stalled, { status: 408, code: 'READ_TIMEOUT', message: H.readTimeoutStalled(limit) });
      return;
    }
    if (this.requests > 0 && this.bytesIn === this.idleMark) {
      // An idle keep-alive connection: closing it is routine, not an error.
      this.raw.end();
      return;
    }
    const partial = this.bytesIn > Math.max(0, this.idleMark);
    this.refuseRaw({ status: 408, code: 'READ_TIMEOUT', message: partial ? H.readTimeoutStalled(limit) : H.readTimeoutIdle(limit) });
  }

  // ── the end ──────────────────────────────────────────────────────────────
  onOurSideEnded(): void {
    this.closing = true;
    this.lastActivity = performance.now();
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
