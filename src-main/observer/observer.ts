// The kernel observer: samples the run's process tree from /proc at a fixed rate (10 Hz by
// default) and hands each sample, with what changed since the last one, to the supervisor.
import type { ProcInfo } from '../../server-core/events';
import { now as clockNow } from '../../server-core/clock';
import { clockTicks } from '../../server-core/sys/sysconf';
import { diffProcs, type ProcDiff } from '../../server-core/observe/proc-diff';
import { bootOffsetMs } from '../../server-core/observe/procfs';
import { defaultMode, readTree, type Tree } from './tree';

export interface ObserverOptions {
  /** Samples per second (default 10). */
  hz?: number;
  /** How the tree is found (default: children files when the kernel has them). */
  mode?: 'children' | 'walk';
  /** Skip re-reading zombies (they cannot change); default true. */
  cacheZombies?: boolean;
  /** The supervisor's pid (default this process). */
  self?: number;
  now?: () => number;
}

export interface Observation {
  t: number;
  tree: Tree;
  /** Changes since the previous observation; with `full`, `diff.changed` is the whole tree. */
  diff: ProcDiff | null;
  full: boolean;
  /** CPU time this pass took on the main thread, ms. */
  cpuMs: number;
}

export class Observer {
  readonly hz: number;
  readonly mode: 'children' | 'walk';
  private readonly self: number;
  private readonly cacheZombies: boolean;
  private readonly now: () => number;
  private readonly bootMs: number;
  private master: number | null = null;
  /** Process groups of recent runs, newest last (bounded). */
  private readonly groups = new Set<number>();
  /** The tree as last reported to subscribers (a proc changes only when it moved enough). */
  private reported = new Map<number, ProcInfo>();
  private zombies = new Map<number, ProcInfo>();
  private readonly zombieSince = new Map<number, number>();
  private needFull = true;
  private timer: NodeJS.Timeout | null = null;
  /** Totals for the benchmark and docs: passes made, CPU ms spent. */
  readonly cost = { passes: 0, cpuMs: 0 };

  constructor(
    opts: ObserverOptions,
    private readonly onSample: (o: Observation) => void,
  ) {
    this.hz = opts.hz ?? 10;
    this.mode = opts.mode ?? defaultMode;
    this.self = opts.self ?? process.pid;
    this.cacheZombies = opts.cacheZombies ?? true;
    this.now = opts.now ?? clockNow;
    // Start times in /proc count ticks since boot; boot tick 0 on our clock is −(uptime − now).
    this.bootMs = -bootOffsetMs(this.now());
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** The master to watch (null once it has exited); its pid is also its process group. */
  setMaster(pid: number | null): void {
    this.master = pid;
    if (pid !== null) this.addGroup(pid);
  }

  /** A process group of ours (a master's, or a watched server's): its members reparented to us are our orphans. */
  addGroup(pgid: number): void {
    this.groups.delete(pgid);
    this.groups.add(pgid);
    while (this.groups.size > 32) this.groups.delete(this.groups.values().next().value as number);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.onSample(this.sample()), Math.max(1, Math.round(1000 / this.hz)));
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The next observation reports the whole tree (a new run). */
  resetReported(): void {
    this.needFull = true;
  }

  /** When `pid` was first seen as a zombie, on the run's clock (null if never). */
  zombieSinceOf(pid: number): number | null {
    return this.zombieSince.get(pid) ?? null;
  }

  /** One pass over /proc. */
  sample(): Observation {
    const cpu0 = process.cpuUsage();
    const t = this.now();
    const tree = readTree({
      self: this.self,
      master: this.master,
      groups: this.groups,
      bootMs: this.bootMs,
      clockTicks,
      mode: this.mode,
      zombies: this.cacheZombies ? this.zombies : null,
    });
    const nextZombies = new Map<number, ProcInfo>();
    for (const [pid, p] of tree.procs) {
      if (p.state !== 'Z') continue;
      nextZombies.set(pid, p);
      if (!this.zombieSince.has(pid)) this.zombieSince.set(pid, t);
    }
    for (const pid of this.zombieSince.keys()) if (!tree.procs.has(pid)) this.zombieSince.delete(pid);
    this.zombies = nextZombies;

    const full = this.needFull;
    const diff = full ? { changed: [...tree.procs.values()], gone: [] } : diffProcs(this.reported, tree.procs);
    this.needFull = false;
    if (diff) {
      const reported = full ? new Map<number, ProcInfo>() : this.reported;
      for (const p of diff.changed) reported.set(p.pid, p);
      for (const pid of diff.gone) reported.delete(pid);
      this.reported = reported;
    }
    const used = process.cpuUsage(cpu0);
    const cpuMs = (used.user + used.system) / 1000;
    this.cost.passes++;
    this.cost.cpuMs += cpuMs;
    return { t, tree, diff, full, cpuMs };
  }
}
