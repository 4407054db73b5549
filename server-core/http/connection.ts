// One accepted connection, served the way the tutorial's handle_one_request serves it:
//
//   recv() → parse → call the app → sendall() → close()
//
// with keep-alive, the loop goes round for the next request. The model that accepted the
// connection (models/*.ts, worker/pool.ts) hands its descriptor here through an I/O port
// (port.ts), and this file does the rest — for WSGI and fetch apps, in every model. (Node-style
// apps need Node's own request and response objects: node-http.ts.)
//
// States: reading → app → writing → (reading again, kept alive) → closing → closed.
// Deadlines, all counted from a fixed start, never from the last byte:
//   - the request head must be in within --read-timeout of the connection's start (or, on a
//     kept connection, of the request's first byte), the whole request within --body-timeout;
//   - a kept connection waits --read-timeout for its next request, then closes quietly;
//   - the client must make room for the answer within --read-timeout whenever the kernel's
//     buffer is full (write stall).
// Bad input is refused with one answer (error-answer.ts) the moment it is seen, and every
// connection ends by one rule (close()): close at once when the client sent nothing we did not
// read, else end our side first and let the client close.
//
// Events: transcript in, request, transcript out, response — per request — then close; an
// `error` for bad input, an app that fails, or a client that goes.
import { now } from '../clock';
import type { Peer } from '../events';
import { GatewayError } from '../gateway/errors';
import { flushBeforeWire } from '../output';
import { AppRequest } from './app-request';
import type { Refusal } from './bad-input';
import { describeError } from './describe-error';
import { errorAnswer } from './error-answer';
import type { Port } from './port';
import { RequestReader, type ParsedRequest, type ReadItem } from './request-reader';
import { ResponseWriter, type AnswerHost } from './response';
import { H } from './strings';
import { transcriptsOf, type Transcript } from './transcript';
import type { ConnectionContext } from './types';

export type ConnectionState = 'reading' | 'app' | 'writing' | 'closing' | 'closed';

/** A connection being served: the model can end it early. */
export interface Serving {
  /** Settles once the connection is closed (never rejects). */
  readonly done: Promise<void>;
  /** Closes it once the request in hand (if any) is answered: a worker's request budget is spent. */
  end(): void;
  /** Closes it now, answered or not: the server is stopping. */
  cut(): void;
}

/** Serves one accepted connection until it closes. The caller has emitted `accept`. */
export function serveConnection(port: Port, peer: Peer, ctx: ConnectionContext): Serving {
  const connection = new Connection(port, peer, ctx);
  connection.done = connection.run();
  return connection;
}

/**
 * Answers an accepted connection with `refusal` without reading it (no worker can serve it:
 * 503), then closes by the same rule — our side first, so the answer is not lost to a reset
 * when the client's request arrives after it.
 */
export function refuseConnection(port: Port, peer: Peer, ctx: ConnectionContext, refusal: Refusal): Serving {
  const connection = new Connection(port, peer, ctx);
  connection.done = connection.runRefusing(refusal);
  return connection;
}

const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

class Connection implements Serving, AnswerHost {
  state: ConnectionState = 'reading';
  done: Promise<void> = Promise.resolve();
  readonly tIn: Transcript;
  readonly tOut: Transcript;
  readonly stallMs: number;
  private readonly reader: RequestReader;
  /** When the clock of the request being read started: the connection's start, then each request's first byte. */
  private requestStart: number;
  /** When the last answer was out (the idle clock of a kept connection). */
  private lastAnswer = 0;
  private answered = 0;
  /** The client has closed its side. */
  private clientDone = false;
  /** Asked to close once the request in hand is answered. */
  private ending = false;
  private cutting = false;
  /** The answer being written, if any (cut() breaks it off). */
  private answering: ResponseWriter | null = null;

  constructor(
    readonly port: Port,
    private readonly peer: Peer,
    private readonly ctx: ConnectionContext,
  ) {
    this.requestStart = ctx.acceptedAt ?? now();
    this.stallMs = ctx.limits.readTimeoutMs;
    this.reader = new RequestReader(ctx.limits);
    ({ tIn: this.tIn, tOut: this.tOut } = transcriptsOf(ctx.conn, ctx.limits.transcriptCap, ctx.emit));
  }

  /** The tutorial's loop, one request at a time. */
  async run(): Promise<void> {
    try {
      for (;;) {
        const item = await this.readRequest();
        if (!item) break;
        if (item.refusal) {
          await this.refuse(item.refusal);
          break;
        }
        if (!(await this.answer(item.request))) break;
      }
    } catch (err) {
      this.onBrokenConnection(err);
    }
    await this.close();
  }

  async runRefusing(refusal: Refusal): Promise<void> {
    try {
      await this.refuse(refusal);
    } catch (err) {
      this.onBrokenConnection(err);
    }
    await this.close(true);
  }

  end(): void {
    this.ending = true;
    // Waiting for a next request that is not needed any more: stop waiting.
    if (this.state === 'reading' && !this.reader.started) this.port.cancel();
  }

  cut(): void {
    this.cutting = true;
    this.port.cancel();
    // An app still at work is not waited for.
    this.answering?.cut();
  }

  // ── reading: recv → parse, until one request is whole ──────────────────────
  /** The next request read whole, or the refusal that ends the connection; null when the client is done or the connection idles out. */
  private async readRequest(): Promise<ReadItem | null> {
    this.state = 'reading';
    for (;;) {
      const ready = this.reader.take();
      if (ready) return ready;
      if (this.cutting || this.reader.ended) return null;
      if (this.clientDone) return null;
      if (this.ending && !this.reader.started) return null;
      const wasStarted = this.reader.started;
      const deadline = this.readDeadline();
      const got = await this.port.recv(deadline.at);
      if (got === 'cancelled') return null;
      if (got === 'timeout') return deadline.refusal;
      if (got === null) {
        this.clientDone = true;
        this.reader.end();
        continue;
      }
      this.tIn.record(got, true);
      this.reader.feed(got);
      if (!wasStarted && this.reader.started && this.answered > 0) this.requestStart = now();
      if (this.reader.wantsContinue) await this.sendContinue();
    }
  }

  /** Which deadline the wait for more bytes has, and what passing it means. */
  private readDeadline(): { at: number; refusal: ReadItem | null } {
    const { readTimeoutMs, bodyTimeoutMs } = this.ctx.limits;
    const timeout = (message: string): ReadItem => ({ refusal: { status: 408, code: 'READ_TIMEOUT', message } });
    if (!this.reader.started) {
      // A kept connection with no next request: closed quietly once idle for the timeout.
      if (this.answered > 0) return { at: this.lastAnswer + readTimeoutMs, refusal: null };
      return { at: this.requestStart + readTimeoutMs, refusal: timeout(H.readTimeoutIdle(readTimeoutMs)) };
    }
    if (!this.reader.inBody) return { at: this.requestStart + readTimeoutMs, refusal: timeout(H.readTimeoutStalled(readTimeoutMs)) };
    return { at: this.requestStart + bodyTimeoutMs, refusal: timeout(H.bodyTimeout(bodyTimeoutMs)) };
  }

  /** Expect: 100-continue, and the head passed its checks: the client may send its body. */
  private async sendContinue(): Promise<void> {
    this.reader.wantsContinue = false;
    flushBeforeWire();
    await this.port.sendAll(CONTINUE, this.stallMs, (part) => this.tOut.record(part, true));
  }

  // ── app, then writing: the gateway calls the app and sends its answer ───────
  /** Answers one request; true when the connection stays open for another. */
  private async answer(req: ParsedRequest): Promise<boolean> {
    const { ctx } = this;
    const gateway = ctx.app.gateway;
    if (!gateway) throw new Error('connection.ts serves WSGI and fetch apps; node-http.ts serves Node-style ones');
    this.state = 'app';
    ctx.hooks?.requestStarted?.(ctx.conn);
    this.tIn.flush();
    ctx.emit({ type: 'request', conn: ctx.conn, method: req.method, path: req.target, version: `HTTP/${req.versionMajor}.${req.versionMinor}`, headers: pairs(req.rawHeaders), via: 'direct' });
    const res = new ResponseWriter(this, req);
    this.answering = res;
    // The answer is done when the app has ended it and it is out (or when it breaks off).
    gateway(new AppRequest(req, this.peer), res, { conn: ctx.conn, emit: ctx.emit }).then(
      () => {
        if (this.answering === res) this.state = 'writing';
        res.finish();
      },
      (err: unknown) => this.onAppError(res, err),
    );
    const outcome = await res.done;
    this.answering = null;
    ctx.hooks?.requestDone?.(ctx.conn);
    if (outcome.kind === 'broken') {
      if (outcome.error) ctx.emit({ type: 'error', conn: ctx.conn, code: outcome.error.code, message: outcome.error.message });
      return false;
    }
    this.answered++;
    this.lastAnswer = now();
    this.tIn.flush();
    this.tOut.flush();
    ctx.emit({ type: 'response', conn: ctx.conn, status: outcome.status, headers: outcome.headers, bytes: outcome.bytes });
    return outcome.keepOpen && !this.ending && !req.upgrade;
  }

  /** Read by the answer's head: may the connection wait for another request after it? */
  keepAliveMs(req: ParsedRequest): number | null {
    const { ctx } = this;
    const mayKeep = ctx.keepAlive && req.keepAlive && !req.upgrade && !this.ending && (ctx.hooks?.mayKeepOpen?.(ctx.conn) ?? true);
    return mayKeep ? ctx.limits.readTimeoutMs : null;
  }

  /** The app threw (or broke its gateway's contract): a 500 while that is still possible, else the answer is cut. */
  private onAppError(res: ResponseWriter, err: unknown): void {
    const { ctx } = this;
    const code = err instanceof GatewayError ? err.code : 'APP_ERROR';
    ctx.hooks?.appFailed?.(ctx.conn);
    if (res.headersSent) {
      ctx.emit({ type: 'error', conn: ctx.conn, code, message: H.appFailedAfterHeaders(describeError(err)) });
      // The status line is out: the only way left to say "this answer is broken" is to cut
      // it — unless the app had ended it already.
      if (!res.ended) res.cut();
      return;
    }
    const message = err instanceof GatewayError ? err.message : H.appFailed(describeError(err));
    ctx.emit({ type: 'error', conn: ctx.conn, code, status: 500, message });
    res.answerWith(errorAnswer(500, message));
  }

  // ── bad input ──────────────────────────────────────────────────────────────
  /**
   * Answers bad input (or a client too slow) ourselves; the connection closes after it. The
   * `error` event says what the client really got: its status only once the answer is out.
   */
  private async refuse(refusal: Refusal): Promise<void> {
    const { conn, emit } = this.ctx;
    if (refusal.status === null) {
      emit({ type: 'error', conn, code: refusal.code, message: refusal.message });
      return;
    }
    const answer = errorAnswer(refusal.status, refusal.message);
    this.tIn.flush();
    // The events so far (accept…) go out before the bytes they lead to.
    flushBeforeWire();
    let failure: unknown = null;
    try {
      await this.port.sendAll(answer.bytes, this.stallMs, (part) => this.tOut.record(part, true));
    } catch (err) {
      failure = err;
    }
    emit({ type: 'error', conn, code: refusal.code, status: failure ? undefined : refusal.status, message: refusal.message });
    this.tOut.flush();
    if (failure) return this.onBrokenConnection(failure);
    emit({ type: 'response', conn, status: refusal.status, headers: answer.headers, bytes: answer.body.length });
  }

  /** recv or send failed under us (a reset, a stalled client): said once. */
  private onBrokenConnection(err: unknown): void {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'CUT') return;
    // A reset after every request was answered loses nothing: not worth an error.
    if (this.state === 'reading' && !this.reader.started && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
      if (this.answered > 0) return;
    }
    this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: e.code, message: H.socketError(err) });
    this.cutting = true;
  }

  // ── closing: one rule ─────────────────────────────────────────────────────
  /**
   * close(), the tutorial's last call — at once, when the client has sent nothing we did not
   * read. When it has (a body we refused, a request we did not serve), closing now would make
   * the kernel send a reset, which can destroy the answer before the client reads it: so our
   * side is shut down first and the connection closes when the client closes its side (or
   * --read-timeout after). With --parent-keeps-conn a worker only closes its copy, as the
   * tutorial's child does: the master's copy keeps the connection open. A connection refused
   * unread (`refusedUnread`) always waits for the client: its request may be on its way.
   */
  private async close(refusedUnread = false): Promise<void> {
    this.state = 'closing';
    if (!this.cutting && !this.clientDone && !this.ctx.closeOnly && (this.unreadInput() || refusedUnread)) await this.linger();
    this.reader.release();
    this.port.close();
    this.state = 'closed';
    this.tIn.flush();
    this.tOut.flush();
    this.ctx.emit({ type: 'close', conn: this.ctx.conn });
  }

  /** Bytes the client sent that nobody read: parsed and not served, or still in the kernel. */
  private unreadInput(): boolean {
    if (this.reader.started || this.reader.take()) return true;
    let more: Buffer | null | undefined;
    try {
      more = this.port.recvNow();
    } catch {
      return false; // a reset: nothing left to protect
    }
    if (more === null) this.clientDone = true;
    if (!more) return false;
    this.tIn.record(more, true);
    return true;
  }

  /** Our side is done; the client's bytes are read (and recorded) until it closes, or the timeout. */
  private async linger(): Promise<void> {
    try {
      await this.port.shutdownWrite();
      const until = now() + this.ctx.limits.readTimeoutMs;
      for (;;) {
        const got = await this.port.recv(until);
        if (!(got instanceof Buffer)) return;
        this.tIn.record(got, true);
      }
    } catch {
      // A reset while lingering: the client is gone.
    }
  }
}

/** ['A', 'b', 'C', 'd'] → [['A', 'b'], ['C', 'd']]. */
function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}
