// A prefork pool (Apache's prefork, gunicorn's sync workers): N long-lived workers inherit
// the listening socket as fd 3 and accept on it themselves; the master only keeps the pool
// full. A worker that has taken --max-requests connections exits and is replaced; one that
// dies unexpectedly is replaced too. A replacement starts only once the master has seen the
// old worker end, so never more than N workers serve at once.
import { P } from '../process-strings';
import { SysError } from '../sys/libc';
import { AcceptGate } from '../accept-gate';
import { Arbiter, type WorkerInfo } from '../workers';
import type { ModelFactory, RunContext, ServerModel } from './types';

const RESTART_DELAY_MAX_MS = 5_000;
/** A slot whose worker is being started. */
const PENDING = 'pending';

export const prefork: ModelFactory = (ctx) => new PreforkModel(ctx);

class PreforkModel implements ServerModel {
  private readonly arbiter: Arbiter;
  /** The pool: which worker fills each slot (null while its replacement is pending). */
  private readonly slots: (WorkerInfo | typeof PENDING | null)[];
  /** Consecutive quick deaths per slot (crash-loop back-off). */
  private readonly quickDeaths: number[];
  private readonly restartTimers: (NodeJS.Timeout | null)[];
  /** Closed at --max-zombies: no replacement starts until zombies are reaped. */
  private readonly gate: AcceptGate;
  private stopping = false;

  constructor(private readonly ctx: RunContext) {
    const n = Math.max(1, ctx.opts.workers);
    this.slots = new Array<WorkerInfo | typeof PENDING | null>(n).fill(null);
    this.quickDeaths = new Array<number>(n).fill(0);
    this.restartTimers = new Array<NodeJS.Timeout | null>(n).fill(null);
    this.gate = new AcceptGate(ctx.emit, () => this.manageWorkers());
    this.arbiter = new Arbiter(ctx, {
      exited: (w) => this.onWorkerExit(w),
      zombies: (count) => this.onZombies(count),
    });
  }

  async start(): Promise<void> {
    this.arbiter.start();
    this.manageWorkers();
  }

  command(cmd: Parameters<ServerModel['command']>[0]): void {
    if (this.arbiter.command(cmd)) return;
    this.ctx.emit({ type: 'notice', message: P.notForModel(cmd.cmd, 'prefork') });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.restartTimers) if (t) clearTimeout(t);
    await this.arbiter.stopWorkers();
  }

  /** Fills every empty slot (gunicorn's manage_workers). */
  private manageWorkers(): void {
    if (this.stopping || !this.gate.open) return;
    this.slots.forEach((w, slot) => {
      if (!w && !this.restartTimers[slot]) this.spawnInSlot(slot);
    });
  }

  private spawnInSlot(slot: number): void {
    // Taken while the spawn is under way, so the slot is not filled twice.
    this.slots[slot] = PENDING;
    this.arbiter.spawnWorker({ role: 'pool', slot, socketFd: this.ctx.listener.fd }).then(
      (w) => {
        if (this.slots[slot] === PENDING) this.slots[slot] = w;
      },
      (err: unknown) => {
        this.slots[slot] = null;
        const code = err instanceof SysError ? err.code : undefined;
        this.ctx.emit({ type: 'error', code, message: code === 'EAGAIN' ? P.spawnFailedEagain : P.spawnFailed(err) });
        if (!this.stopping) this.restartLater(slot);
      },
    );
  }

  private onWorkerExit(w: WorkerInfo): void {
    if (w.role !== 'pool' || w.slot === undefined || this.slots[w.slot] !== w) return;
    const slot = w.slot;
    this.slots[slot] = null;
    if (this.stopping) return;
    // Ended before it was ready (the app would not load, say): a crash loop, slowed down.
    if (w.readyAt === undefined) this.restartLater(slot);
    else {
      this.quickDeaths[slot] = 0;
      this.manageWorkers();
    }
  }

  /** A worker that keeps dying before it is ready is restarted ever more slowly. */
  private restartLater(slot: number): void {
    const k = this.quickDeaths[slot]++;
    const ms = Math.min(RESTART_DELAY_MAX_MS, 100 * 2 ** k);
    if (k > 0) this.ctx.emit({ type: 'notice', code: 'CRASH_LOOP', message: P.crashLoop(slot, ms) });
    this.restartTimers[slot] = setTimeout(() => {
      this.restartTimers[slot] = null;
      this.manageWorkers();
    }, ms);
  }

  private onZombies(count: number): void {
    const max = this.ctx.opts.maxZombies;
    if (!(max > 0)) return;
    if (count >= max) this.gate.close(P.reasons.maxZombies, P.poolPaused(count, max));
    else this.gate.reopen(P.reasons.maxZombies, P.belowMaxZombies(count));
  }
}
