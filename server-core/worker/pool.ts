// A prefork pool worker: it accepts on the listening socket it inherited (fd 3) itself, as
// Apache prefork and gunicorn's sync workers do — accept4() through koffi, like the iterative
// model's loop, so that a plain one-request connection can be served straight on its fd
// (http/direct.ts) and only the rest is wrapped for Node's http server. Loaded only by pool
// workers: a fork-model worker never pays for koffi.
import { Socket } from 'node:net';
import { poolConnId } from '../conn-id';
import type { Emit } from '../emit';
import { serveConnection } from '../http/connection';
import { serveDirect } from '../http/direct-peek';
import type { ConnectionContext, LoadedApp } from '../http/types';
import { SysError } from '../sys/libc';
import { POLLIN, POLLNVAL, Waiter } from '../sys/poll';
import { accept, closeQuietly } from '../sys/socket';
import { FD, type WorkerConfig } from './config';
import { RequestBudget } from './request-budget';

/** Pause after an accept error such as EMFILE: the socket stays readable, so without it the loop would spin. */
const ACCEPT_ERROR_BACKOFF_MS = 200;

export interface PoolHooks {
  emit: Emit;
  /** The app failed in this worker: it stops accepting and exits 1 once its connections are done. */
  appFailed(): boolean;
  exit(): never;
}

export function servePool(cfg: WorkerConfig, app: LoadedApp, hooks: PoolHooks): void {
  new PoolWorker(cfg, app, hooks).run().catch((err: unknown) => {
    hooks.emit({ type: 'error', message: `worker cannot accept on the inherited socket: ${err instanceof Error ? err.message : String(err)}` });
    process.exit(1);
  });
}

class PoolWorker {
  private accepted = 0;
  private active = 0;
  private closing = false;
  private failing: string | null = null;
  private readonly waiter = new Waiter();
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
   * Every worker's poll() wakes when a connection is queued, and they race for it. A worker
   * that holds a connection open (keep-alive, a slow app) goes back to poll() after each
   * accept, so its siblings get their share; one whose connections are all done (served
   * directly at once) accepts again without the round trip through the thread pool.
   */
  async run(): Promise<void> {
    let pollFirst = true;
    while (!this.closing) {
      if (pollFirst) {
        const out = await this.waiter.wait(FD.socket, POLLIN);
        if (out.result === 'cancelled') break;
        if (out.result === 'ready' && out.revents & POLLNVAL) throw new SysError('poll', 9);
      }
      const got = this.acceptOne();
      if (got === 'error') await new Promise((r) => setTimeout(r, ACCEPT_ERROR_BACKOFF_MS));
      if (!got || got === 'error') {
        pollFirst = true;
        continue;
      }
      this.serve(got.fd, got.peer);
      // Let what the connection started run (a direct answer finishes within this turn).
      await new Promise((r) => setImmediate(r));
      pollFirst = this.active > 0;
    }
    this.waiter.close();
    this.finishIfDone();
  }

  private acceptOne(): ReturnType<typeof accept> | 'error' {
    try {
      const got = accept(FD.socket);
      this.failing = null;
      return got;
    } catch (err) {
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

  /** Directly when the request is already here and plain (no waiting: other connections need this worker), else through Node's http server. */
  private async serveOne(fd: number, peer: { address: string; port: number }, ctx: ConnectionContext): Promise<void> {
    const direct = await serveDirect(fd, peer, ctx, null);
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

  private stopAccepting(): void {
    if (this.closing) return;
    this.closing = true;
    this.waiter.cancel();
  }

  private finishIfDone(): void {
    if (this.closing && this.active === 0) this.hooks.exit();
  }
}
