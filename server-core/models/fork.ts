// A process per connection (the tutorial's part 3; the default model): the master accepts,
// starts a worker for the connection — fork + exec through posix_spawn, because Node cannot
// fork() — hands it the connection as fd 3, and closes its own copy. The worker serves and
// exits; the master learns of it through SIGCHLD and reaps it as --reap says (workers.ts).
//
// The tutorial's descriptor lessons are switches here: --parent-keeps-conn (the master keeps
// its copy, so the client never sees EOF and fds run out: EMFILE) and --child-keeps-listener
// (each worker keeps the listening socket, so the port stays bound while any worker lives).
import { AcceptGate } from '../accept-gate';
import { now } from '../clock';
import { ReserveFd } from '../descriptors';
import type { Peer } from '../events';
import type { Refusal } from '../http/bad-input';
import { refuseAccepted, type FdAccess } from '../http/serve-accepted';
import type { Accepted } from '../listener';
import { P } from '../process-strings';
import { selfFdCount } from '../proc';
import { koffiCalls } from '../sys/fd-calls';
import { SysError } from '../sys/libc';
import { pollingWaits } from '../sys/poller';
import { closeQuietly } from '../sys/socket';
import { Arbiter } from '../workers';
import type { ModelFactory, RunContext, ServerModel } from './types';

/** Connections accepted per readiness before looking at the gate again. */
const ACCEPT_BATCH = 64;
/** EMFILE back-off: the listener stays readable while accept fails, so without a pause the loop would spin. */
const EMFILE_BACKOFF_MS = [250, 500, 1000, 2000];

export const fork: ModelFactory = (ctx) => new ForkModel(ctx);

class ForkModel implements ServerModel {
  private readonly arbiter: Arbiter;
  private readonly gate: AcceptGate;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private nextConn = 1;
  /** --parent-keeps-conn: the master's copies of every handed-off connection, until release-fds. */
  private kept: number[] = [];
  private readonly reserve = new ReserveFd();
  private emfileStreak = 0;
  private backoff: NodeJS.Timeout | null = null;
  /** The master's own answers (503) go out through the same connection code as a worker's. */
  private access!: FdAccess;
  private readonly refusing = new Set<Promise<void>>();

  constructor(private readonly ctx: RunContext) {
    this.gate = new AcceptGate(ctx.emit);
    this.arbiter = new Arbiter(ctx, { zombies: (count) => this.onZombies(count) });
  }

  async start(): Promise<void> {
    // The master's one pool thread waits for connections (sigchld-eintr.ts): a refused
    // connection's waits look again on a timer instead.
    this.access = { calls: await koffiCalls(), waits: pollingWaits };
    this.arbiter.start();
    this.loop = this.run();
  }

  command(cmd: Parameters<ServerModel['command']>[0]): void {
    if (this.arbiter.command(cmd)) return;
    if (cmd.cmd === 'release-fds') this.releaseFds();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.backoff) clearTimeout(this.backoff);
    this.gate.release();
    this.ctx.listener.cancelWait();
    await this.loop;
    await Promise.all(this.refusing);
    await this.arbiter.stopWorkers();
    if (this.kept.length) this.releaseFds();
    this.reserve.close();
  }

  /** accept → spawn a worker for the connection → close our copy; again. */
  private async run(): Promise<void> {
    const { listener } = this.ctx;
    while (!this.stopping) {
      await this.gate.wait();
      if (this.stopping) break;
      let ready: boolean;
      try {
        // SIGCHLD interrupts this wait (EINTR) and it is issued again: sigchld-eintr.ts.
        ready = await listener.waitReadable();
      } catch (err) {
        this.ctx.emit({ type: 'error', code: err instanceof SysError ? err.code : undefined, message: P.waitFailed(err) });
        break;
      }
      if (!ready || this.stopping) break;
      if (this.gate.open) await this.acceptBatch();
    }
  }

  private async acceptBatch(): Promise<void> {
    for (let i = 0; i < ACCEPT_BATCH && this.gate.open && !this.stopping; i++) {
      let accepted: Accepted | null;
      try {
        accepted = this.ctx.listener.accept();
      } catch (err) {
        if (err instanceof SysError && (err.code === 'EMFILE' || err.code === 'ENFILE')) this.outOfFds(err);
        else this.ctx.emit({ type: 'error', code: err instanceof SysError ? err.code : undefined, message: P.acceptFailed(err) });
        return;
      }
      if (!accepted) return;
      await this.handOff(accepted);
    }
  }

  /**
   * The tutorial's parent/child split: the worker gets the connection; the master lets go of
   * it. (The child's half — closing its copy of the listening socket — is made by exec
   * itself: the listener is close-on-exec, so the worker never has it. --child-keeps-listener
   * passes it on purpose.)
   */
  private async handOff({ fd, peer }: Accepted): Promise<void> {
    const { emit, opts, listener } = this.ctx;
    const conn = this.nextConn++;
    emit({ type: 'accept', conn, peer, fd });
    this.ctx.probe?.poke();
    try {
      await this.arbiter.spawnWorker({
        role: 'connection',
        conn,
        peer,
        socketFd: fd,
        keptListenerFd: opts.childKeepsListener ? listener.fd : undefined,
      });
    } catch (err) {
      const code = err instanceof SysError ? err.code : undefined;
      const noFds = code === 'EMFILE' || code === 'ENFILE';
      const message = noFds ? P.emfileSpawn : code === 'EAGAIN' ? P.spawnFailedEagain : P.spawnFailed(err);
      this.refuse(fd, peer, conn, { status: 503, code: code ?? 'SPAWN', message });
      if (noFds) this.pauseForFds(P.emfileSpawn);
      return;
    }
    this.emfileStreak = 0;
    if (opts.parentKeepsConn) this.kept.push(fd); // the descriptor lesson, broken on purpose
    else closeQuietly(fd);
  }

  /** A connection no worker will serve gets a 503, which must reach the client (connection.ts closes gracefully). */
  private refuse(fd: number, peer: Peer, conn: number, refusal: Refusal, after?: () => void): void {
    const { emit, opts, app } = this.ctx;
    const ctx = { conn, app, limits: opts.limits, keepAlive: false, emit, acceptedAt: now() };
    const done = refuseAccepted(fd, peer, ctx, this.access, refusal).done.then(() => after?.());
    this.refusing.add(done);
    void done.then(() => this.refusing.delete(done));
  }

  /**
   * EMFILE: the connection stays in the queue and the socket stays readable. The reserve fd
   * (descriptors.ts) makes room to accept the one waiting and answer it 503; then accepting
   * pauses for a while instead of spinning.
   */
  private outOfFds(err: SysError): void {
    this.ctx.emit({ type: 'error', code: err.code, message: P.emfile(selfFdCount()) });
    if (this.reserve.release()) {
      let one: Accepted | null = null;
      try {
        one = this.ctx.listener.accept();
      } catch {
        /* still none: the back-off below handles it */
      }
      if (one) {
        const conn = this.nextConn++;
        this.ctx.emit({ type: 'accept', conn, peer: one.peer, fd: one.fd });
        this.refuse(one.fd, one.peer, conn, { status: 503, code: 'EMFILE', message: P.emfileRefused }, () => this.reserve.reopen());
      } else this.reserve.reopen();
    }
    this.pauseForFds(P.emfile(selfFdCount()));
  }

  private pauseForFds(why: string): void {
    const ms = EMFILE_BACKOFF_MS[Math.min(this.emfileStreak, EMFILE_BACKOFF_MS.length - 1)];
    this.emfileStreak++;
    this.gate.close(P.reasons.emfile, why);
    if (this.backoff) clearTimeout(this.backoff);
    this.backoff = setTimeout(() => {
      this.backoff = null;
      this.gate.reopen(P.reasons.emfile);
    }, ms);
  }

  /** release-fds: close every connection copy the master kept; the clients see EOF now. */
  private releaseFds(): void {
    const count = this.kept.length;
    for (const fd of this.kept) closeQuietly(fd);
    this.kept = [];
    this.reserve.reopen();
    this.emfileStreak = 0;
    if (this.backoff) clearTimeout(this.backoff);
    this.backoff = null;
    this.ctx.emit({ type: 'fds-released', count });
    if (!count && !this.ctx.opts.parentKeepsConn) this.ctx.emit({ type: 'notice', message: P.noKeptFds });
    this.gate.reopen(P.reasons.emfile);
  }

  /** --max-zombies: a demo must never exhaust the machine's process table. */
  private onZombies(count: number): void {
    const max = this.ctx.opts.maxZombies;
    if (!(max > 0)) return;
    if (count >= max) this.gate.close(P.reasons.maxZombies, P.maxZombies(count, max));
    else this.gate.reopen(P.reasons.maxZombies, P.belowMaxZombies(count));
  }
}
