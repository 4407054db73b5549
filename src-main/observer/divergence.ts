// The master's own account of its children, from its events, held against /proc. A pid the
// two disagree about for more than a second (longer than any pipe or sampling delay) is a
// divergence: the UI must not show a number the kernel contradicts without saying so.
import type { ForkscopeEvent } from '../../server-core/events';

export interface Divergence {
  what: 'children' | 'zombies';
  master: number;
  kernel: number;
  /** The pids the two accounts disagree about. */
  pids: number[];
}

export class Account {
  /** Forked, not known to have exited. */
  private readonly live = new Set<number>();
  /** Exited (the master said so), not yet reaped: zombies by the master's account. */
  private readonly exited = new Set<number>();

  /** Feeds one master event (in arrival order). */
  note(e: ForkscopeEvent): void {
    switch (e.type) {
      case 'fork':
        this.live.add(e.child);
        break;
      case 'exit':
        if (this.live.delete(e.child)) this.exited.add(e.child);
        break;
      case 'reap':
        this.live.delete(e.child);
        this.exited.delete(e.child);
        break;
    }
  }

  /** forked − reaped */
  get children(): number {
    return this.live.size + this.exited.size;
  }

  /** forked − reaped − live */
  get zombies(): number {
    return this.exited.size;
  }

  isChild(pid: number): boolean {
    return this.live.has(pid) || this.exited.has(pid);
  }

  isZombie(pid: number): boolean {
    return this.exited.has(pid);
  }

  childPids(): Iterable<number> {
    return [...this.live, ...this.exited];
  }
}

export class DivergenceWatch {
  /** pid:what → when the disagreement was first seen (ms). */
  private readonly since = new Map<string, number>();
  private reported: (Divergence & { t: number })[] = [];

  constructor(private readonly graceMs = 1000) {}

  /**
   * Compares at sample time `t`. Returns the divergences to report now: new or changed ones,
   * and, with `resolved`, the kinds that were reported and no longer hold.
   */
  check(t: number, account: Account, kernelChildren: ReadonlyMap<number, string>): { report: Divergence[]; resolved: Divergence['what'][] } {
    const disagree = { children: new Set<number>(), zombies: new Set<number>() };
    for (const [pid, state] of kernelChildren) {
      if (!account.isChild(pid)) disagree.children.add(pid);
      if ((state === 'Z') !== account.isZombie(pid)) disagree.zombies.add(pid);
    }
    for (const pid of account.childPids()) {
      if (!kernelChildren.has(pid)) {
        disagree.children.add(pid);
        if (account.isZombie(pid)) disagree.zombies.add(pid);
      }
    }

    const seen = new Set<string>();
    const lasting: Record<Divergence['what'], number[]> = { children: [], zombies: [] };
    for (const what of ['children', 'zombies'] as const) {
      for (const pid of disagree[what]) {
        const key = `${what}:${pid}`;
        seen.add(key);
        const first = this.since.get(key);
        if (first === undefined) this.since.set(key, t);
        else if (t - first > this.graceMs) lasting[what].push(pid);
      }
    }
    for (const key of [...this.since.keys()]) if (!seen.has(key)) this.since.delete(key);

    let kernelZ = 0;
    for (const s of kernelChildren.values()) if (s === 'Z') kernelZ++;
    const now: Divergence[] = [];
    if (lasting.children.length) now.push({ what: 'children', master: account.children, kernel: kernelChildren.size, pids: lasting.children.sort((a, b) => a - b) });
    if (lasting.zombies.length) now.push({ what: 'zombies', master: account.zombies, kernel: kernelZ, pids: lasting.zombies.sort((a, b) => a - b) });

    // A lasting divergence is said once, and again when its numbers change (at most once a second).
    const report: Divergence[] = [];
    const kept: (Divergence & { t: number })[] = [];
    for (const d of now) {
      const before = this.reported.find((r) => r.what === d.what);
      const changed = before && (before.master !== d.master || before.kernel !== d.kernel);
      if (!before || (changed && t - before.t >= this.graceMs)) {
        report.push(d);
        kept.push({ ...d, t });
      } else {
        kept.push(before);
      }
    }
    const resolved = this.reported.filter((r) => !now.some((d) => d.what === r.what)).map((r) => r.what);
    this.reported = kept;
    return { report, resolved };
  }

  reset(): void {
    this.since.clear();
    this.reported = [];
  }
}
