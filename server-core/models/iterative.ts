// The iterative model, the seed's first servers: accept one connection, serve it
// completely, close it, then accept the next. While it serves, later clients wait in the
// kernel's accept queue (lesson 3) — the queue probe shows it filling.
import { Socket } from 'node:net';
import { serveConnection } from '../http/connection';
import { serveDirect } from '../http/direct-peek';
import { SysError } from '../sys/libc';
import { closeQuietly } from '../sys/socket';
import { Waiter } from '../sys/poll';
import type { Accepted } from '../listener';
import type { ModelFactory, RunContext, ServerModel } from './types';
import { S } from '../strings';

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
  private current: { cut: () => void; done: Promise<void> } | null = null;
  /** The code of the accept failure being retried, if any. */
  private failing: string | null = null;

  /** Waits for a new connection's first bytes (direct.ts); cancelled by stop(). */
  private readonly firstBytes: Waiter;

  constructor(private readonly ctx: RunContext) {
    this.firstBytes = new Waiter((call) => ctx.emit({ type: 'eintr', call }));
  }

  async start(): Promise<void> {
    this.loop = this.run();
  }

  command(): void {
    // reap-now, set-reap, kill, release-fds are about worker processes: none here.
    this.ctx.emit({ type: 'notice', message: S.noWorkers, code: 'NO_WORKERS' });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ctx.listener.cancelWait();
    this.firstBytes.cancel();
    const cur = this.current;
    if (cur) {
      const cut = setTimeout(() => cur.cut(), STOP_GRACE_MS);
      await cur.done;
      clearTimeout(cut);
    }
    await this.loop;
  }

  /** The seed's `while True: accept → handle_one_request → close`. */
  private async run(): Promise<void> {
    const { listener } = this.ctx;
    while (!this.stopping) {
      // Take what is already queued first; wait (poll on the pool) only when the queue is empty.
      const accepted = this.acceptOne();
      if (accepted === 'error') await sleep(ACCEPT_ERROR_BACKOFF_MS);
      else if (accepted) await this.serve(accepted);
      else if (!(await listener.waitReadable().catch((err: unknown) => this.reportWaitError(err)))) break;
    }
    this.firstBytes.close();
  }

  private acceptOne(): Accepted | null | 'error' {
    try {
      const accepted = this.ctx.listener.accept();
      this.failing = null;
      return accepted;
    } catch (err) {
      // Reported once per run of identical failures (EMFILE repeats until an fd is freed).
      const code = err instanceof SysError ? err.code : 'ACCEPT';
      if (this.failing !== code) this.ctx.emit({ type: 'error', code, message: S.acceptFailed(err) });
      this.failing = code;
      return 'error';
    }
  }

  private async serve({ fd, peer }: Accepted): Promise<void> {
    const { emit, opts, app, probe } = this.ctx;
    const conn = this.nextConn++;
    emit({ type: 'accept', conn, peer, fd });
    probe?.poke();
    const connCtx = { conn, app, limits: opts.limits, keepAlive: opts.keepAlive, emit, acceptedAt: performance.now() };
    // One plain request: recv, the app, send, close — on the fd itself (direct.ts).
    const direct = await serveDirect(fd, peer, connCtx, this.firstBytes);
    if (this.stopping && !direct) {
      closeQuietly(fd);
      emit({ type: 'close', conn });
      return;
    }
    if (direct) {
      this.current = direct;
      await direct.done;
      this.current = null;
      return;
    }
    let socket: Socket;
    try {
      socket = new Socket({ fd, readable: true, writable: true });
    } catch (err) {
      closeQuietly(fd);
      emit({ type: 'error', conn, message: S.wrapFailed(err) });
      return;
    }
    const done = serveConnection(socket, connCtx);
    this.current = { cut: () => socket.destroy(), done };
    try {
      await done;
    } finally {
      this.current = null;
      if (!socket.destroyed) socket.destroy();
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
