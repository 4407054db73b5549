// Orphans: workers whose master died. The supervisor is a child subreaper, so the kernel hands
// them to it instead of PID 1; it says so (`reparented`), then reaps each one BY PID once it has
// exited — never waitpid(-1), which would steal the master's exit status from child_process.
import type { EventInput } from '../../server-core/events';
import { waitNoHang } from '../../server-core/sys/wait';
import { readStat } from '../../server-core/observe/procfs';

export class Orphanage {
  /** Orphans reported and not yet reaped. */
  private readonly held = new Set<number>();

  constructor(
    private readonly emit: (e: EventInput, source: 'kernel' | 'supervisor') => void,
    private readonly zombieSince: (pid: number) => number | null,
    private readonly now: () => number,
    private readonly self: number = process.pid,
  ) {}

  get pids(): number[] {
    return [...this.held];
  }

  get size(): number {
    return this.held.size;
  }

  /** Takes in the orphans of a /proc sample, then reaps whichever have exited. */
  observe(orphans: readonly number[]): void {
    for (const pid of orphans) {
      if (this.held.has(pid)) continue;
      this.held.add(pid);
      this.emit({ type: 'reparented', child: pid }, 'kernel');
    }
    this.reap();
  }

  /** waitpid(pid, WNOHANG) for each orphan held; returns how many are still held. */
  reap(): number {
    for (const pid of [...this.held]) {
      const res = waitNoHang(pid);
      if (res) {
        this.held.delete(pid);
        const since = this.zombieSince(pid);
        this.emit(
          {
            type: 'reap',
            child: pid,
            ...(res.code !== undefined ? { code: res.code } : {}),
            ...(res.signal !== undefined ? { signal: res.signal } : {}),
            zombieMs: since === null ? null : Math.max(0, Math.round((this.now() - since) * 10) / 10),
            by: 'supervisor',
          },
          'supervisor',
        );
      } else if (readStat(pid)?.ppid !== this.self) {
        this.held.delete(pid); // no longer ours (ECHILD): nothing left to reap
      }
    }
    return this.held.size;
  }
}
