// A prefork pool worker: it accepts on the listening socket it inherited (fd 3) itself, as
// Apache prefork and gunicorn's sync workers do — accept4() through koffi, blocking on a pool
// thread (sys/accept.ts), so that plain requests are served directly (http/direct.ts on the fd,
// http/kept.ts for keep-alive) and only the rest goes to Node's http server. Loaded only by
// pool workers: a fork-model worker never pays for koffi.
import { Socket } from 'node:net';
import { poolConnId } from '../conn-id';
import { P } from '../process-strings';
import type { Emit } from '../emit';
import { serveConnection } from '../http/connection';
import { rawAnswer } from '../http/bad-input';
import type { DirectServing } from '../http/direct';
import { serveDirect } from '../http/direct-peek';
import type { ConnectionContext, LoadedApp } from '../http/types';
import { BlockingAccept, type AcceptOutcome } from '../sys/accept';
import { SysError } from '../sys/libc';
import { closeQuietly, makeAcceptBlock, sendNow } from '../sys/socket';
import { FD, type WorkerConfig } from './config';
import { RequestBudget } from './request-budget';

/** Pause after an accept error such as EMFILE: the socket stays readable, so without it the loop would spin. */
const ACCEPT_ERROR_BACKOFF_MS = 200;
/** How long one blocking accept() waits before the worker looks whether it should go on. */
const ACCEPT_WAIT_MS = 100;
/** A worker holding n connections open waits n × YIELD_MS (at most YIELD_MAX times) before its next accept. */
const YIELD_MS = 1;
const YIELD_MAX = 8;

export interface PoolHooks {
  emit: Emit;
  /** The app failed in this worker: it stops accepting and exits 1 once its connections are done. */
  appFailed(): boolean;
  exit(): never;
}

export interface PoolHandle {
  /** Exits with `code` as soon as no accept is pending (main.ts: something escaped the gateway). */
  exitSoon(code: number): void;
}

export function servePool(cfg: WorkerConfig, app: LoadedApp, hooks: PoolHooks): PoolHandle {
  const worker = new PoolWorker(cfg, app, hooks);
  worker.run().catch((err: unknown) => {
    hooks.emit({ type: 'error', message: `worker cannot accept on the inherited socket: ${err instanceof Error ? err.message : String(err)}` });
    process.exit(1);
  });
  return worker;
}

class PoolWorker implements PoolHandle {
  private accepted = 0;
  /** Set by exitSoon(): the exit waits only for the pending accept. */
  private exitCode: number | null = null;
  private active = 0;
  private closing = false;
  /** An accept() is pending on a pool thread. */
  private accepting = false;
  private failing: string | null = null;
  private readonly budget: RequestBudget;
  private readonly narrate: Emit;

  constructor(
    private readonly cfg: WorkerConfig,
    private readonly app: LoadedApp,
    private readonly hooks: PoolHooks,
  ) {
    this.budget = new RequestBudget(cfg.maxRequests ?? 0, () => this.stopAccepting());
    this.narrate = (event) => {
      this.budget.note(event);
      hooks.emit(event);
    };
  }

  /**
   * Blocks in accept() on a pool thread (sys/accept.ts): the kernel hands each connection to
   * the worker that has waited longest, so connections spread over the pool. A connection
   * accepted is served, even if the worker decided meanwhile to stop.
   *
   * That is fair while workers wait for connections, not when connections wait for workers
   * (a burst): then whichever worker asks first takes the next one. So a worker holding
   * connections open waits a moment before asking again — longer the more it holds — and the
   * less loaded ones take the burst (nginx's workers back off from accepting the same way).
   */
  async run(): Promise<void> {
    makeAcceptBlock(FD.socket, ACCEPT_WAIT_MS);
    const acceptor = new BlockingAccept(FD.socket);
    while (!this.closing) {
      if (this.active > 0) {
        // What the last connection started runs first (a direct answer is over within this turn).
        await new Promise((r) => setImmediate(r));
        if (this.active > 0) await new Promise((r) => setTimeout(r, Math.min(this.active, YIELD_MAX) * YIELD_MS));
      }
      if (this.closing) break;
      this.accepting = true;
      const got = await this.acceptOne(acceptor);
      this.accepting = false;
      if (this.exitCode !== null) {
        if (got !== 'error' && got !== 'timeout') this.turnAway(got.fd, got.peer);
        process.exit(this.exitCode);
      }
      if (got === 'error') await new Promise((r) => setTimeout(r, ACCEPT_ERROR_BACKOFF_MS));
      else if (got !== 'timeout') this.serve(got.fd, got.peer);
    }
    acceptor.free();
    this.finishIfDone();
  }

  private async acceptOne(acceptor: BlockingAccept): Promise<AcceptOutcome | 'error'> {
    try {
      const got = await acceptor.accept();
      this.failing = null;
      return got;
    } catch (err) {
      // Not a socket to accept on: nothing to wait for.
      if (err instanceof SysError && (err.code === 'EBADF' || err.code === 'ENOTSOCK' || err.code === 'EINVAL')) throw err;
      // Reported once per run of identical failures (EMFILE repeats until an fd is freed).
      const code = err instanceof SysError ? err.code : 'ACCEPT';
      if (this.failing !== code) this.hooks.emit({ type: 'error', code, message: `worker ${process.pid}: accept failed: ${err instanceof Error ? err.message : String(err)}` });
      this.failing = code;
      return 'error';
    }
  }

  private serve(fd: number, peer: { address: string; port: number }): void {
    this.accepted++;
    this.active++;
    // Unique in the run: the worker's serial number and its own count (conn-id.ts).
    const conn = poolConnId(this.cfg.serial, this.accepted);
    this.hooks.emit({ type: 'accept', conn, peer, fd });
    // A worker never takes more connections than it has requests left to serve.
    if (this.cfg.maxRequests && this.accepted >= this.cfg.maxRequests) this.stopAccepting();
    const { budget, cfg } = this;
    const ctx: ConnectionContext = {
      conn,
      app: this.app,
      limits: cfg.limits,
      // Read per request: once the budget is spent, the request in hand is answered with Connection: close.
      get keepAlive(): boolean {
        return cfg.keepAlive && !budget.spent;
      },
      emit: this.narrate,
      acceptedAt: performance.now(),
    };
    void this.serveOne(fd, peer, ctx).finally(() => {
      this.active--;
      if (this.hooks.appFailed()) this.stopAccepting();
      this.finishIfDone();
    });
  }

  /** Directly when the request is plain (or not here yet: the event loop waits for it), else through Node's http server. */
  private async serveOne(fd: number, peer: { address: string; port: number }, ctx: ConnectionContext): Promise<void> {
    // Known to the budget before its first event (a direct answer may be over within this call).
    let direct: DirectServing | null = null;
    this.budget.opened(ctx.conn, { end: () => direct?.end() });
    direct = await serveDirect(fd, peer, ctx, null);
    if (direct) return direct.done;
    let socket: Socket;
    try {
      socket = new Socket({ fd, readable: true, writable: true });
    } catch (err) {
      closeQuietly(fd);
      this.hooks.emit({ type: 'error', conn: ctx.conn, message: `worker ${process.pid}: ${err instanceof Error ? err.message : String(err)}` });
      this.hooks.emit({ type: 'close', conn: ctx.conn });
      return;
    }
    this.budget.opened(ctx.conn, socket);
    return serveConnection(socket, ctx);
  }

  /**
   * A process that exits while one of its threads is blocked in accept() waits for that call
   * to return — and a connection it brings then would be reset unseen. So the exit waits for
   * the pending accept (at most ACCEPT_WAIT_MS) and answers what it brought.
   */
  exitSoon(code: number): void {
    this.exitCode = code;
    this.closing = true;
    if (!this.accepting) process.exit(code);
  }

  /** 503 and close, said with the usual events: this worker is going. */
  private turnAway(fd: number, peer: { address: string; port: number }): void {
    const conn = poolConnId(this.cfg.serial, ++this.accepted);
    this.hooks.emit({ type: 'accept', conn, peer, fd });
    const answer = rawAnswer(503, P.workerExiting);
    try {
      sendNow(fd, answer.bytes);
    } catch {
      /* the client is gone already */
    }
    closeQuietly(fd);
    this.hooks.emit({ type: 'error', conn, code: 'WORKER_EXITING', status: 503, message: P.workerExiting });
    this.hooks.emit({ type: 'close', conn });
  }

  /** The accept in progress, if any, returns within ACCEPT_WAIT_MS; the loop ends then. */
  private stopAccepting(): void {
    this.closing = true;
  }

  /** Exits once nothing is served and no accept is pending (one could still bring a connection). */
  private finishIfDone(): void {
    if (this.closing && this.active === 0 && !this.accepting) this.hooks.exit();
  }
}
