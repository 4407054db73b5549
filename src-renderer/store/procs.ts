// The process tree as the kernel reports it (`proc` samples from /proc), plus two things
// the kernel cannot show between samples: workers the master just started (not sampled yet)
// and workers that vanished (reaped), which fade out for a moment. The zombie count is
// always the kernel's (tutorial, Part 3: zombies); the master's own account is kept beside it.
// A page that joins late rebuilds all this from a snapshot and must show exactly what a page
// open from the start shows: a `reap` ends a worker's "starting" for good, and a worker forked
// before the last sample and absent from it has come and gone.
import type { ForkEvent, ProcInfo, ReapEvent } from '../../server-core/events';

export type ProcState = 'running' | 'sleeping' | 'zombie' | 'stopped' | 'dead' | 'starting' | 'reaped' | 'unknown';

export interface ProcNode {
  pid: number;
  ppid: number;
  role: ProcInfo['role'];
  state: ProcState;
  /** The /proc state letter, or '' when not from /proc. */
  letter: string;
  start: number;
  cmd: string;
  fds: number | null;
  rssKb: number;
  /** The connection this worker was started for (fork model). */
  conn?: number;
  /** How it was reaped, when the master said so. */
  reap?: ReapEvent;
  /** Reaped nodes: how far faded, 0 (just gone) to 3 (about to disappear). */
  fade?: number;
}

/** How long a reaped worker stays on screen, fading, ms. */
export const FADE_MS = 4000;
/** At most this many fading nodes at once (bursts reap hundreds). */
const FADE_CAP = 24;
const FADE_STEPS = 4;
/** Fork events kept for pids /proc has not shown yet. */
const STARTING_CAP = 200;
/** Processes remembered after they are gone (the details drawer of a reaped worker). */
const REMEMBERED = 2000;

/** What a process last had while alive (a zombie has no descriptors and no memory). */
export interface LastSeen {
  fds: number | null;
  rssKb: number;
  cmd: string;
  /** Run-clock time of the sample that showed it so. */
  t: number;
}

export function stateOf(letter: string): ProcState {
  switch (letter) {
    case 'R':
      return 'running';
    case 'S':
    case 'D':
    case 'I':
    case 'W':
    case 'P':
      return 'sleeping';
    case 'Z':
      return 'zombie';
    case 'T':
    case 't':
      return 'stopped';
    case 'X':
    case 'x':
      return 'dead';
    default:
      return 'unknown';
  }
}

/** A worker alive as /proc shows it: not a zombie, not being removed. */
export function isLiveWorker(p: { role: string; state: string }): boolean {
  const st = stateOf(p.state);
  return p.role === 'worker' && (st === 'running' || st === 'sleeping' || st === 'stopped');
}

export class Procs {
  /** The last /proc sample, as nodes. */
  private kernel: ProcNode[] = [];
  private kernelT = -Infinity;
  zombies: { count: number; pids: number[] } = { count: 0, pids: [] };
  /** The master's own reading (its `zombies` event), shown beside the kernel's. */
  masterZombies: number | null = null;
  private readonly starting = new Map<number, { fork: ForkEvent; seenAt: number }>();
  private readonly fading = new Map<number, { node: ProcNode; at: number }>();
  private readonly reaps = new Map<number, ReapEvent>();
  private readonly connOf = new Map<number, number>();
  private readonly alive = new Map<number, LastSeen>();
  version = 0;

  /** The whole tree after a `proc` event (the supervisor's reducer has applied any diff). */
  applyTree(procs: ProcInfo[], zombies: { count: number; pids: number[] }, t: number, now: number, changed: ProcInfo[] = procs): void {
    const before = new Map(this.kernel.map((n) => [n.pid, n]));
    this.kernel = procs.map((p) => this.toNode(p));
    this.kernelT = t;
    this.remember(changed, t);
    const live = new Set(this.kernel.map((n) => n.pid));
    for (const [pid, old] of before) {
      if (!live.has(pid) && old.role !== 'supervisor') this.fade({ ...old }, now);
    }
    for (const [pid, s] of this.starting) {
      if (live.has(pid)) this.starting.delete(pid);
      else if (s.fork.t < t - 50) {
        // Sampled after its start and not there: it already came and went.
        this.starting.delete(pid);
        this.fade(this.startingNode(s.fork), now);
      }
    }
    this.zombies = { count: zombies.count, pids: [...zombies.pids] };
    this.version++;
  }

  applyFork(e: ForkEvent, now: number): void {
    if (e.conn != null) this.connOf.set(e.child, e.conn);
    if (this.connOf.size > 4 * STARTING_CAP) this.connOf.delete(this.connOf.keys().next().value as number);
    if (e.t > this.kernelT && !this.kernel.some((n) => n.pid === e.child)) {
      this.starting.set(e.child, { fork: e, seenAt: now });
      if (this.starting.size > STARTING_CAP) this.starting.delete(this.starting.keys().next().value as number);
      this.version++;
    }
  }

  /**
   * A child was reaped: it is gone for good. A worker still drawn as "starting" came and went
   * between two samples (live: it fades like any reaped one; in a snapshot replay it is simply
   * over — a page open from the start would have shown it fade long ago).
   */
  applyReap(e: ReapEvent, now: number, live = true): void {
    this.reaps.set(e.child, e);
    if (this.reaps.size > REMEMBERED) this.reaps.delete(this.reaps.keys().next().value as number);
    const s = this.starting.get(e.child);
    if (s) {
      this.starting.delete(e.child);
      if (live) this.fade(this.startingNode(s.fork), now);
    }
    const f = this.fading.get(e.child);
    if (f) f.node.reap = e;
    this.version++;
  }

  /** A `proc` sample seen in a snapshot replay: the tree itself comes from the summary after. */
  noteSample(t: number, changed: ProcInfo[]): void {
    this.kernelT = t;
    this.remember(changed, t);
  }

  /** How a process was reaped, while remembered. */
  reapOf(pid: number): ReapEvent | undefined {
    return this.reaps.get(pid);
  }

  /** What a process last had while alive (fds, memory, command line), while remembered. */
  lastSeen(pid: number): LastSeen | undefined {
    return this.alive.get(pid);
  }

  applyMasterZombies(count: number): void {
    this.masterZombies = count;
  }

  /**
   * A new run (`master-start`): the old run's processes are gone (the supervisor stopped and
   * reaped them before starting this master), so its fading ghosts, not-yet-sampled workers
   * and conn numbers go too. Only the supervisor and the new master stay until the next
   * /proc sample; anything of the old run still alive comes back with that sample, as the
   * kernel says.
   */
  newRun(master: number): void {
    this.kernel = this.kernel.filter((n) => n.role === 'supervisor' || n.pid === master);
    this.starting.clear();
    this.fading.clear();
    this.reaps.clear();
    this.connOf.clear();
    this.alive.clear();
    this.masterZombies = null;
    this.version++;
  }

  clear(): void {
    this.kernel = [];
    this.kernelT = -Infinity;
    this.zombies = { count: 0, pids: [] };
    this.masterZombies = null;
    this.starting.clear();
    this.fading.clear();
    this.reaps.clear();
    this.connOf.clear();
    this.alive.clear();
    this.version++;
  }

  /**
   * Sets the tree from a summary (a snapshot's, or the one after a stop: the kernel's word at
   * that moment). Workers it shows are no longer "starting"; workers forked before the last
   * sample that it does not show came and went.
   */
  setFromSummary(procs: ProcInfo[], zombies: { count: number; pids: number[] }): void {
    this.kernel = procs.map((p) => this.toNode(p));
    const shown = new Set(procs.map((p) => p.pid));
    for (const [pid, s] of this.starting) if (shown.has(pid) || s.fork.t < this.kernelT - 50) this.starting.delete(pid);
    this.zombies = { count: zombies.count, pids: [...zombies.pids] };
    this.version++;
  }

  /** Steps fading nodes on and drops those whose time is up; true when something changed. */
  tick(now: number): boolean {
    let changed = false;
    for (const [pid, f] of this.fading) {
      const age = now - f.at;
      if (age > FADE_MS) {
        this.fading.delete(pid);
        changed = true;
        continue;
      }
      const step = Math.min(FADE_STEPS - 1, Math.floor((age / FADE_MS) * FADE_STEPS));
      if (step !== f.node.fade) {
        f.node = { ...f.node, fade: step };
        changed = true;
      }
    }
    if (changed) this.version++;
    return changed;
  }

  /** Live nodes (kernel), then not-yet-sampled workers, then fading ones. */
  nodes(): ProcNode[] {
    const out = [...this.kernel];
    for (const s of this.starting.values()) out.push(this.startingNode(s.fork));
    for (const f of this.fading.values()) if (!out.some((n) => n.pid === f.node.pid)) out.push(f.node);
    return out;
  }

  /** Fading nodes: when they vanished, wall clock. */
  fadingSince(pid: number): number | undefined {
    return this.fading.get(pid)?.at;
  }

  /** Keeps what each live process had (a zombie's sample has no fds and no memory: keep the last). */
  private remember(procs: ProcInfo[], t: number): void {
    for (const p of procs) {
      if (p.state === 'Z' || p.role === 'supervisor') continue;
      this.alive.delete(p.pid); // re-inserted: the newest are kept longest
      this.alive.set(p.pid, { fds: p.fds, rssKb: p.rssKb, cmd: p.cmd, t });
      if (this.alive.size > REMEMBERED) this.alive.delete(this.alive.keys().next().value as number);
    }
  }

  private fade(node: ProcNode, now: number): void {
    node.state = 'reaped';
    node.fade = 0;
    node.reap = this.reaps.get(node.pid);
    this.fading.set(node.pid, { node, at: now });
    if (this.fading.size > FADE_CAP) this.fading.delete(this.fading.keys().next().value as number);
  }

  private toNode(p: ProcInfo): ProcNode {
    return {
      pid: p.pid,
      ppid: p.ppid,
      role: p.role,
      state: stateOf(p.state),
      letter: p.state,
      start: p.start,
      cmd: p.cmd,
      fds: p.fds,
      rssKb: p.rssKb,
      conn: this.connOf.get(p.pid),
    };
  }

  private startingNode(f: ForkEvent): ProcNode {
    return { pid: f.child, ppid: f.pid, role: 'worker', state: 'starting', letter: '', start: f.t, cmd: '', fds: null, rssKb: 0, conn: f.conn };
  }
}
