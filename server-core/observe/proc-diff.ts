// `proc` events carry what changed since the previous sample, not the whole tree: 500 zombies
// sampled ten times a second would otherwise fill the history with copies of the same list.
// The first event of a run is full; see applyProcEvent in supervisor/summary.ts.
import type { ProcInfo } from '../events';

export interface ProcDiff {
  changed: ProcInfo[];
  gone: number[];
}

/** RSS moves all the time; report it when it moved by 1 MiB and 10 % (the UI shows MB). */
function rssMoved(a: number, b: number): boolean {
  const d = Math.abs(a - b);
  return d >= 1024 && d >= 0.1 * a;
}

export function sameProc(a: ProcInfo, b: ProcInfo): boolean {
  return a.state === b.state && a.ppid === b.ppid && a.fds === b.fds && a.role === b.role && a.cmd === b.cmd && a.start === b.start && !rssMoved(a.rssKb, b.rssKb);
}

/** What a subscriber must change to go from `prev` to `next`; null when nothing did. */
export function diffProcs(prev: ReadonlyMap<number, ProcInfo>, next: ReadonlyMap<number, ProcInfo>): ProcDiff | null {
  const changed: ProcInfo[] = [];
  const gone: number[] = [];
  for (const [pid, p] of next) {
    const before = prev.get(pid);
    if (!before || !sameProc(before, p)) changed.push(p);
  }
  for (const pid of prev.keys()) if (!next.has(pid)) gone.push(pid);
  return changed.length || gone.length ? { changed, gone } : null;
}
