// The iterative model, the tutorial's first servers: accept one connection, serve it
// completely, close it, then accept the next. While it serves, later clients wait in the
// kernel's accept queue (the backlog lesson) — the queue probe shows it filling.
import { now } from '../clock';
import { ReserveFd } from '../descriptors';
import type { Serving } from '../http/connection';
import { refuseAccepted, serveAccepted, type FdAccess } from '../http/serve-accepted';
import type { Accepted } from '../listener';
import { P } from '../process-strings';
import { S } from '../strings';
import { koffiCalls } from '../sys/fd-calls';
import { SysError } from '../sys/libc';
import { poller } from '../sys/poller';
import type { ModelFactory, RunContext, ServerModel } from './types';

/** How long a connection being served may finish after stop() before it is cut. */
const STOP_GRACE_MS = 300;
/** Pause after an accept error such as EMFILE: the socket stays readable, so without it the loop would spin. */
const ACCEPT_ERROR_BACKOFF_MS = 200;

export const iterative: ModelFactory = (ctx) => new IterativeModel(ctx);

class IterativeModel implements ServerModel {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private nextConn = 1;
  /** The connection being served, if any: the only state this model has. */
  private current: Serving | null = null;
  /** The code of the accept failure being retried, if any. */
  private failing: string | null = null;
  private access!: FdAccess;
  private readonly reserve = new ReserveFd();

  constructor(private readonly ctx: RunContext) {}

  async start(): Promise<void> {
    this.access = { calls: await koffiCalls(), waits: poller };
    this.loop = this.run();
  }

  command(): void {
    // reap-now, set-reap, kill, release-fds are about worker processes: none here.
    this.ctx.emit({ type: 'notice', message: S.noWorkers, code: 'NO_WORKERS' });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ctx.listener.cancelWait();
    const cur = this.current;
    if (cur) {
      const cut = setTimeout(() => cur.cut(), STOP_GRACE_MS);
      await cur.done;
      clearTimeout(cut);
    }
    await this.loop;
    this.reserve.close();
  }

  /** The tutorial's `while True: accept() → handle_one_request() → close()`. */
  private async run(): Promise<void> {
    const { listener } = this.ctx;
    while (!this.stopping) {
      // Take what is already queued first; wait (poll on the pool) only when the queue is empty.
      const accepted = this.acceptOne();
      if (accepted === 'error') await sleep(ACCEPT_ERROR_BACKOFF_MS);
      else if (accepted) await this.serve(accepted);
      else if (!(await listener.waitReadable().catch((err: unknown) => this.reportWaitError(err)))) break;
    }
  }

  private acceptOne(): Accepted | null | 'error' {
    try {
      const accepted = this.ctx.listener.accept();
      this.failing = null;
      return accepted;
    } catch (err) {
      const code = err instanceof SysError ? err.code : 'ACCEPT';
      // Reported once per run of identical failures (EMFILE repeats until an fd is freed).
      if (this.failing !== code) this.ctx.emit({ type: 'error', code, message: S.acceptFailed(err) });
      this.failing = code;
      if (code === 'EMFILE' || code === 'ENFILE') void this.refuseOneWithReserve();
      return 'error';
    }
  }

  /** recv → the app → sendall → close, all in connection.ts; this model waits for it to end. */
  private async serve({ fd, peer }: Accepted): Promise<void> {
    const { emit, opts, app, probe } = this.ctx;
    const conn = this.nextConn++;
    emit({ type: 'accept', conn, peer, fd });
    probe?.poke();
    this.current = serveAccepted(fd, peer, { conn, app, limits: opts.limits, keepAlive: opts.keepAlive, emit, acceptedAt: now() }, this.access);
    await this.current.done;
    this.current = null;
  }

  /** Out of descriptors: the reserve one makes room to tell one waiting client so (503). */
  private async refuseOneWithReserve(): Promise<void> {
    if (!this.reserve.release()) return;
    try {
      const one = this.ctx.listener.accept();
      if (one) {
        const { emit, opts, app } = this.ctx;
        const conn = this.nextConn++;
        emit({ type: 'accept', conn, peer: one.peer, fd: one.fd });
        const ctx = { conn, app, limits: opts.limits, keepAlive: false, emit, acceptedAt: now() };
        await refuseAccepted(one.fd, one.peer, ctx, this.access, { status: 503, code: 'EMFILE', message: P.emfileRefused }).done;
      }
    } catch {
      /* still none: the back-off handles it */
    } finally {
      this.reserve.reopen();
    }
  }

  private reportWaitError(err: unknown): false {
    this.ctx.emit({ type: 'error', code: err instanceof SysError ? err.code : undefined, message: S.waitFailed(err) });
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
