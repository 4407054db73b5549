// Zombies, the tutorial's lesson: a child that has ended stays in the process table — its pid
// and exit status kept, state Z in /proc — until its parent collects it with wait(). No
// signal removes it (it has already exited; kill -9 reaches nobody): only wait() does.
// This file finds the master's workers that have ended (looking each up in /proc, never
// scanning it) and says when the set of zombies changes.
import type { Emit } from './emit';
import { hasProc, pidState } from './proc';

export interface ChildRecord {
  pid: number;
  /** 'exited' once the master knows it has ended; a zombie until it is reaped. */
  state: string;
}

export class Zombies {
  /** The zombie pids last reported, as a key: the event goes out when the set changes. */
  private last = '';

  constructor(
    private readonly emit: Emit,
    private readonly changed: (count: number) => void,
  ) {}

  /**
   * The children in `table` that /proc shows ended (Z) and the master did not know of yet. A pid
   * that was not reaped cannot be reused, so its /proc entry is still this child.
   */
  endedAmong(table: Iterable<ChildRecord>): ChildRecord[] {
    if (!hasProc) return [];
    const ended: ChildRecord[] = [];
    for (const child of table) {
      if (child.state === 'exited') continue;
      const state = pidState(child.pid);
      if (state === 'Z' || state === 'X') ended.push(child);
    }
    return ended;
  }

  /** Says `zombies` {count, pids} when the set of ended, unreaped children changed. */
  publish(table: Iterable<ChildRecord>): void {
    const pids: number[] = [];
    for (const c of table) if (c.state === 'exited') pids.push(c.pid);
    pids.sort((a, b) => a - b);
    // The set, not just the count: a reap and an exit in one turn keep the count but change who.
    const key = pids.join(',');
    if (key === this.last) return;
    this.last = key;
    this.emit({ type: 'zombies', count: pids.length, pids });
    this.changed(pids.length);
  }
}
