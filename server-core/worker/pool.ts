// A prefork pool worker: it accepts on the listening socket it inherited (fd 3) itself, as
// Apache prefork and gunicorn's sync workers do — accept4() through koffi, blocking on a pool
// thread (sys/accept.ts) — and serves what it accepts (http/serve-accepted.ts). By default
// (--worker-connections 1) it serves one connection at a time and accepts the next only when
// it is done, so a busy pool leaves clients in the kernel's accept queue; with N > 1 it
// serves up to N at once (the asynchronous variant). Loaded only by pool workers: a
// fork-model worker never pays for koffi.
import { now } from '../clock';
import { poolConnId } from '../conn-id';
import type { Emit } from '../emit';
import type { Peer } from '../events';
import type { Serving } from '../http/connection';
import { serveAccepted, refuseAccepted, type FdAccess } from '../http/serve-accepted';
import type { ConnectionContext, ConnectionHooks, LoadedApp } from '../http/types';
import { P } from '../process-strings';
import { BlockingAccept, type AcceptOutcome } from '../sys/accept';
import { koffiCalls } from '../sys/fd-calls';
import { SysError } from '../sys/libc';
import { dieWithParent } from '../sys/parent-death';
import { poller } from '../sys/poller';
import { makeAcceptBlock } from '../sys/socket';
import { FD, type WorkerConfig } from './config';
import type { ControlChannel } from './control';
import { RequestBudget } from './request-budget';
import { W } from './strings';

/** Pause after an accept error such as EMFILE: the socket stays readable, so without it the loop would spin. */
const ACCEPT_ERROR_BACKOFF_MS = 200;
/** How long one blocking accept() waits before the worker looks whether it should go on. */
const ACCEPT_WAIT_MS = 100;
/** A worker holding n connections open waits n × YIELD_MS (at most YIELD_MAX times) before its next accept. */
const YIELD_MS = 1;
const YIELD_MAX = 8;

export interface PoolHooks {
  emit: Emit;
  control: ControlChannel;
  /** The worker's hooks for a connection (busy/idle, failures, its master), with `extra` of the pool's own. */
  hooks(extra: ConnectionHooks): ConnectionHooks;
  /** The app failed in this worker: it stops accepting and exits 1 once its connections are done. */
  appFailed(): boolean;
  exit(): never;
}

export interface PoolHandle {
  /** Exits with `code` as soon as no accept is pending (main.ts: something escaped the gateway). */
  exitSoon(code: number): void;
}

export function servePool(cfg: WorkerConfig, app: LoadedApp, hooks: PoolHooks): PoolHandle {
  // Die with the master, and not be an orphan already.
  if (!dieWithParent(cfg.masterPid)) {
    hooks.emit({ type: 'notice', code: 'ORPHAN', message: W.orphaned(process.pid) });
    process.exit(0);
  }
  const worker = new PoolWorker(cfg, app, hooks);
  worker.run().catch((err: unknown) => {
    hooks.emit({ type: 'error', message: W.cannotAccept(err) });
    process.exit(1);
  });
  return worker;
}

class PoolWorker implements PoolHandle {
  private accepted = 0;
  /** Set by exitSoon(): the exit waits only for the pending accept. */
  private exitCode: number | null = null;
  private readonly serving = new Set<Serving>();
  private closing = false;
  /** An accept() is pending on a pool thread. */
  private accepting = false;
  private failing: string | null = null;
  private readonly budget: RequestBudget;
  private readonly capacity: number;
  private access!: FdAccess;
  /** Resolves when a connection ends (a one-at-a-time worker waits on it before accepting again). */
  private freed: (() => void) | null = null;

  constructor(
    private readonly cfg: WorkerConfig,
    private readonly app: LoadedApp,
    private readonly pool: PoolHooks,
  ) {
    this.capacity = Math.max(1, cfg.workerConnections ?? 1);
    this.budget = new RequestBudget(cfg.maxRequests ?? 0, () => {
      pool.control.send({ m: 'budget' });
      this.stopAccepting();
    });
  }

  /**
   * Blocks in accept() on a pool thread (sys/accept.ts): the kernel hands each connection to
   * the worker that has waited longest, so connections spread over the pool. A connection
   * accepted is served, even if the worker decided meanwhile to stop.
   *
   * A worker serving as many connections as it may (--worker-connections) accepts no more
   * until one ends. Below that, one holding connections waits a moment before asking again —
   * longer the more it holds — so the less loaded ones take a burst (nginx's workers back off
   * from accepting the same way): turns are fair while workers wait for connections, not when
   * connections wait for workers.
   */
  async run(): Promise<void> {
    this.access = { calls: await koffiCalls(), waits: poller };
    makeAcceptBlock(FD.socket, ACCEPT_WAIT_MS);
    const acceptor = new BlockingAccept(FD.socket);
    while (!this.closing) {
      if (this.serving.size >= this.capacity) {
        await new Promise<void>((r) => (this.freed = r));
        continue;
      }
      if (this.serving.size > 0) {
        // What the last connection started runs first (a small answer is over within this turn).
        await new Promise((r) => setImmediate(r));
        if (this.serving.size > 0) await new Promise((r) => setTimeout(r, Math.min(this.serving.size, YIELD_MAX) * YIELD_MS));
        if (this.serving.size >= this.capacity) continue;
      }
      if (this.closing) break;
      this.accepting = true;
      const got = await this.acceptOne(acceptor);
      this.accepting = false;
      if (this.exitCode !== null) {
        if (got !== 'error' && got !== 'timeout') await this.turnAway(got.fd, got.peer);
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
      if (this.failing !== code) this.pool.emit({ type: 'error', code, message: W.acceptFailed(process.pid, err) });
      this.failing = code;
      return 'error';
    }
  }

  private context(conn: number, hooks: ConnectionHooks | undefined): ConnectionContext {
    const { cfg } = this;
    return {
      conn,
      app: this.app,
      limits: cfg.limits,
      // One at a time: a kept connection would hold the worker from every other client, so
      // it closes after each answer (as gunicorn's sync workers do; serve.ts says so once).
      keepAlive: cfg.keepAlive && this.capacity > 1,
      emit: this.pool.emit,
      acceptedAt: now(),
      hooks,
    };
  }

  private serve(fd: number, peer: Peer): void {
    this.accepted++;
    // Unique in the run: the worker's serial number and its own count (conn-id.ts).
    const conn = poolConnId(this.cfg.serial, this.accepted);
    this.pool.emit({ type: 'accept', conn, peer, fd });
    // A worker never takes more connections than it has requests left to serve.
    if (this.cfg.maxRequests && this.accepted >= this.cfg.maxRequests) this.stopAccepting();
    const { budget } = this;
    let serving: Serving | null = null;
    // Known to the budget before its first request (which may be read within this turn).
    budget.opened(conn, { end: () => serving?.end() });
    const hooks = this.pool.hooks({
      requestStarted: (c) => budget.requestStarted(c),
      requestDone: (c) => budget.requestDone(c),
      mayKeepOpen: () => !budget.spent,
    });
    serving = serveAccepted(fd, peer, this.context(conn, hooks), this.access);
    this.serving.add(serving);
    const mine = serving;
    void mine.done.then(() => {
      this.serving.delete(mine);
      budget.closed(conn);
      if (this.pool.appFailed()) this.stopAccepting();
      const freed = this.freed;
      this.freed = null;
      freed?.();
      this.finishIfDone();
    });
  }

  /**
   * A process that exits while one of its threads is blocked in accept() waits for that call
   * to return — and a connection it brings then would be reset unseen. So the exit waits for
   * the pending accept (at most ACCEPT_WAIT_MS) and answers what it brought.
   */
  exitSoon(code: number): void {
    this.exitCode = code;
    this.closing = true;
    this.freed?.();
    if (!this.accepting) process.exit(code);
  }

  /** 503 and close, said with the usual events: this worker is going. */
  private async turnAway(fd: number, peer: Peer): Promise<void> {
    const conn = poolConnId(this.cfg.serial, ++this.accepted);
    this.pool.emit({ type: 'accept', conn, peer, fd });
    const refused = refuseAccepted(fd, peer, this.context(conn, undefined), this.access, { status: 503, code: 'WORKER_EXITING', message: P.workerExiting });
    // Not for long: this worker is exiting.
    const cut = setTimeout(() => refused.cut(), 500);
    await refused.done;
    clearTimeout(cut);
  }

  /** The accept in progress, if any, returns within ACCEPT_WAIT_MS; the loop ends then. */
  private stopAccepting(): void {
    this.closing = true;
    const freed = this.freed;
    this.freed = null;
    freed?.();
  }

  /** Exits once nothing is served and no accept is pending (one could still bring a connection). */
  private finishIfDone(): void {
    if (this.closing && this.serving.size === 0 && !this.accepting) this.pool.exit();
  }
}
