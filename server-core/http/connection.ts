// Serving one accepted connection (the seed's handle_one_request, grown up): Node's own HTTP
// machinery parses it — an http.Server that never listens is handed the connection — while a
// tap records the exact bytes both ways. Everything that happens becomes an event:
//   request → (transcript in) … transcript out → response, error for bad input, then close.
// Transcript events are coalesced: the bytes received so far are flushed just before each
// `request` event, and both directions just before each `response` event and at `close`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HeaderList } from '../events';
import { GatewayError, RequestAborted } from '../gateway/errors';
import { classifyParseError, rawAnswer, type Refusal } from './bad-input';
import { bodyBytesSent, meterBody, sentHeaders, type Meter } from './response-meter';
import { SERVER_SOFTWARE } from './server-software';
import { H } from './strings';
import { TappedSocket } from './tapped-socket';
import { Transcript } from './transcript';
import type { ConnectionContext, HttpLimits, ServeConnection } from './types';

export const serveConnection: ServeConnection = (socket, ctx) =>
  new Promise<void>((resolve) => {
    new Connection(socket, ctx, resolve).start();
  });

/** One request and its response on this connection. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  meter: Meter;
  /** We answered it ourselves (413, 408, 500): whatever the app does later is ignored. */
  answered: boolean;
}

type Pushable = { push(chunk: unknown, encoding?: BufferEncoding): boolean };

class Connection {
  private readonly tIn: Transcript;
  private readonly tOut: Transcript;
  private readonly tapped: TappedSocket;
  private readonly inflight = new Set<Exchange>();
  private requests = 0;
  /** Bad input was answered (or the connection is being refused): nothing more is parsed. */
  private refused = false;
  /** Our side has finished sending; waiting for the client to close. */
  private closing = false;
  private closed = false;
  /** A socket error (ECONNRESET…) was reported: closing adds nothing to it. */
  private socketFailed = false;
  private bytesIn = 0;
  /** bytesIn when the last response finished; -1 before the first. Equal now → idle keep-alive. */
  private idleMark = -1;
  private lastActivity = performance.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly raw: Socket,
    private readonly ctx: ConnectionContext,
    private readonly resolve: () => void,
  ) {
    const { conn, limits, emit } = ctx;
    this.tIn = new Transcript(conn, 'in', limits.transcriptCap, emit);
    this.tOut = new Transcript(conn, 'out', limits.transcriptCap, emit);
    this.tapped = new TappedSocket(raw, {
      in: (chunk) => this.onBytesIn(chunk),
      out: (chunk) => this.tOut.record(chunk),
    });
  }

  start(): void {
    // A client that half-closes (shutdown(SHUT_WR) after its request) still gets its answer.
    this.raw.allowHalfOpen = true;
    this.raw.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(err));
    this.raw.on('close', () => this.onClose());
    this.tapped.on('finish', () => this.onOurSideEnded());
    if (this.raw.destroyed) {
      this.onClose();
      return;
    }
    connections.set(this.tapped, this);
    httpServerFor(this.ctx.limits).emit('connection', this.tapped);
    this.armTimer(this.ctx.limits.readTimeoutMs);
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
    const ex: Exchange = { req, res, meter: meterBody(res), answered: false };
    this.inflight.add(ex);
    this.lastActivity = performance.now();
    this.emitRequest(req);
    if (!this.ctx.keepAlive) res.shouldKeepAlive = false;
    res.on('finish', () => this.onResponseFinish(ex));
    res.on('error', (err: NodeJS.ErrnoException) => this.onResponseError(ex, err));
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

  /**
   * A chunked body has no length up front: count it as the parser hands it over, and past the
   * limit answer 413 and drop the rest (the end too, so nobody mistakes a cut body for a whole one).
   */
  private limitBody(ex: Exchange): void {
    const max = this.ctx.limits.maxBodyBytes;
    const req = ex.req as unknown as Pushable;
    const push = req.push;
    let seen = 0;
    let over = false;
    req.push = (chunk, encoding) => {
      if (over) return true;
      if (chunk instanceof Uint8Array) {
        seen += chunk.length;
        if (seen > max) {
          over = true;
          this.answer(ex, { status: 413, code: 'BODY_TOO_LARGE', message: H.bodyTooLarge(max, null) });
          return true;
        }
      }
      return push.call(ex.req, chunk, encoding);
    };
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
      this.ctx.emit({ type: 'error', conn: this.ctx.conn, code, message: H.appFailedAfterHeaders(describe(err)) });
      // The status line is out: the only way left to say "this response is broken" is to cut
      // it — unless the app had already ended it.
      if (!ex.res.writableEnded) this.tapped.destroy();
      return;
    }
    this.answer(ex, { status: 500, code, message: err instanceof GatewayError ? err.message : H.appFailed(describe(err)) });
  }

  /** Answers a request ourselves (bad input, app failure) and closes the connection after it. */
  private answer(ex: Exchange, refusal: Refusal): void {
    if (ex.answered) return;
    ex.answered = true;
    const { res } = ex;
    this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: refusal.code, status: res.headersSent ? undefined : (refusal.status ?? undefined), message: refusal.message });
    if (res.headersSent || refusal.status === null) {
      if (!res.writableEnded) this.tapped.destroy();
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

  private onResponseFinish(ex: Exchange): void {
    this.inflight.delete(ex);
    this.lastActivity = performance.now();
    this.idleMark = this.bytesIn;
    this.tIn.flush();
    this.tOut.flush();
    this.ctx.emit({
      type: 'response',
      conn: this.ctx.conn,
      status: ex.res.statusCode,
      headers: sentHeaders(ex.res),
      bytes: bodyBytesSent(ex.req, ex.res, ex.meter),
    });
    // Bad input arrived behind this (keep-alive) request: close now that it is answered.
    if (this.refused && this.inflight.size === 0) this.tapped.end();
  }

  private onResponseError(ex: Exchange, err: NodeJS.ErrnoException): void {
    if (ex.answered || this.closed) return;
    this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: err.code, message: H.responseError(err) });
  }

  // ── bad input that never became a request ──────────────────────────────────
  onClientError(err: NodeJS.ErrnoException & { reason?: string }): void {
    if (this.refused || this.closing || this.closed) return;
    if (!err.code?.startsWith('HPE_')) {
      // A stream error on our wrapper, not the client's bytes.
      this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: err.code, message: H.socketError(err) });
      return;
    }
    // Without keep-alive, bytes after the one request are not read as a request at all.
    if (!this.ctx.keepAlive && this.requests >= 1) {
      this.tapped.stopFeeding();
      return;
    }
    const refusal = classifyParseError(err, this.ctx.limits.maxHeaderBytes);
    if (this.inflight.size > 0) {
      // Garbage pipelined behind a request still being answered: report it, close after the answer.
      this.refused = true;
      this.tapped.stopFeeding();
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
    this.tapped.resume();
  }

  /** Answers with a complete response written straight to the socket, then closes. */
  private refuseRaw(refusal: Refusal): void {
    if (this.refused) return;
    this.refused = true;
    this.tapped.stopFeeding();
    const { conn, emit } = this.ctx;
    const writable = this.tapped.writable && !this.tapped.writableEnded;
    const status = refusal.status !== null && writable ? refusal.status : undefined;
    emit({ type: 'error', conn, code: refusal.code, status, message: refusal.message });
    if (status !== undefined) {
      const answer = rawAnswer(status, refusal.message);
      this.tIn.flush();
      this.tapped.write(answer.bytes, (err) => {
        this.tOut.flush();
        if (!err) emit({ type: 'response', conn, status, headers: answer.headers, bytes: answer.bodyBytes });
      });
    }
    if (!this.tapped.writableEnded) this.tapped.end();
  }

  // ── the read timeout ─────────────────────────────────────────────────────
  private onBytesIn(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    // Once we have said our last word, bytes still arriving (a refused body) do not keep the
    // connection alive: the linger time counts from our end.
    if (!this.closing && !this.refused) this.lastActivity = performance.now();
    this.tIn.record(chunk);
  }

  private armTimer(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onTimer(), Math.max(1, Math.ceil(ms)));
  }

  /** One timer, re-armed lazily: it checks how long the connection has been idle when it fires. */
  private onTimer(): void {
    this.timer = null;
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
      this.tapped.end();
      return;
    }
    const partial = this.bytesIn > Math.max(0, this.idleMark);
    this.refuseRaw({ status: 408, code: 'READ_TIMEOUT', message: partial ? H.readTimeoutStalled(limit) : H.readTimeoutIdle(limit) });
  }

  // ── the end ──────────────────────────────────────────────────────────────
  private onOurSideEnded(): void {
    this.closing = true;
    this.lastActivity = performance.now();
  }

  private onSocketError(err: NodeJS.ErrnoException): void {
    // A reset after every request was answered loses nothing: not worth an error.
    if (this.closed || (this.inflight.size === 0 && (this.requests > 0 || this.refused))) return;
    this.socketFailed = true;
    this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: err.code, message: H.socketError(err) });
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const { conn, emit } = this.ctx;
    if (!this.socketFailed && [...this.inflight].some((ex) => !ex.answered && !ex.res.writableFinished)) {
      emit({ type: 'error', conn, code: 'CLIENT_GONE', message: H.clientGone() });
    }
    this.tIn.flush();
    this.tOut.flush();
    if (!this.tapped.destroyed) this.tapped.destroy();
    emit({ type: 'close', conn });
    this.resolve();
  }
}

// ── one http.Server per set of limits, shared by every connection of the process ──
// It never listens: each connection is handed to it with emit('connection'). Sharing it keeps
// the per-connection cost down (an http.Server is not cheap to build); its events find their
// connection through the tapped socket.
const connections = new WeakMap<object, Connection>();
const servers = new Map<string, Server>();

function connectionOf(socket: unknown): Connection | undefined {
  return socket && typeof socket === 'object' ? connections.get(socket) : undefined;
}

function httpServerFor(limits: HttpLimits): Server {
  const key = `${limits.maxHeaderBytes}/${limits.readTimeoutMs}`;
  let server = servers.get(key);
  if (server) return server;
  server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    insecureHTTPParser: false,
    // Checked by Connection.onRequest instead, so a missing Host gets an `error` event like any bad input.
    requireHostHeader: false,
    keepAliveTimeout: limits.readTimeoutMs,
  });
  // Undocumented but long-standing: answer a request even after the client half-closed.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => connectionOf(req.socket)?.onRequest(req, res));
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => connectionOf(req.socket)?.onCheckContinue(req, res));
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => connectionOf(req.socket)?.onCheckExpectation(req, res));
  server.on('connect', (req: IncomingMessage) => connectionOf(req.socket)?.onConnectMethod(req));
  server.on('clientError', (err: Error, socket: unknown) => connectionOf(socket)?.onClientError(err));
  servers.set(key, server);
  return server;
}

/** An error as one line: its message and, when known, where the app threw it. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const frame = err.stack
    ?.split('\n')
    .slice(1)
    .map((l) => l.trim())
    .find((l) => l.startsWith('at ') && !l.includes('node:') && !l.includes('/server-core/') && !l.includes('dist-core/'));
  const where = frame?.match(/\(?((?:file:\/\/)?\/[^()]+:\d+:\d+)\)?$/)?.[1];
  return where ? `${err.name}: ${err.message} (at ${where})` : `${err.name}: ${err.message}`;
}
