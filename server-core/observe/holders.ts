// Which processes hold which sockets: each process's open fds from /proc/PID/fd (a socket
// reads as `socket:[inode]`), matched against the inodes inet_diag reports. This is how the
// forgotten close() shows: a connection in CLOSE_WAIT still held by the parent, and by every
// child forked after it (a child inherits every descriptor).
//
// Listing a process's fds costs tens of µs, so not everyone is listed every pass: the server
// itself is (it accepts and closes), a new process as soon as it is seen, and each of the
// others about once a second, oldest listing first, within half a millisecond per pass.
import { fdTargets, socketInode } from './procfs';

export interface FdTable {
  /** Open fds. */
  count: number;
  /** fd → socket inode, for the fds that are sockets. */
  sockets: Map<number, number>;
}

interface Entry {
  table: FdTable;
  /** When it was last listed, ms. */
  at: number;
}

export class Holders {
  private readonly tables = new Map<number, Entry>();
  /** inode → pids holding it; rebuilt lazily after any listing changed. */
  private byInode: Map<number, number[]> | null = null;

  constructor(
    private readonly everyMs = 1000,
    private readonly passMs = 100,
    private readonly budgetMs = 0.5,
  ) {}

  /**
   * Lists the fds of `always` (the server), of processes not listed yet, and of the longest
   * unlisted others that are due — each about once every `everyMs`, within `budgetMs` of work
   * per pass (a loaded machine then spreads them thinner). Zombies hold nothing: pass only
   * live processes. Returns the pids whose table changed.
   */
  update(live: readonly number[], always: number, t: number): number[] {
    const liveSet = new Set(live);
    for (const pid of [...this.tables.keys()]) {
      if (!liveSet.has(pid)) {
        this.tables.delete(pid);
        this.byInode = null;
      }
    }
    const changed: number[] = [];
    const old: number[] = [];
    for (const pid of live) {
      const e = this.tables.get(pid);
      if (pid === always || !e) {
        if (this.list(pid, t)) changed.push(pid);
      } else if (t - e.at >= this.everyMs) old.push(pid);
    }
    const share = Math.ceil((live.length * this.passMs) / this.everyMs);
    const start = performance.now();
    old.sort((a, b) => this.tables.get(a)!.at - this.tables.get(b)!.at);
    for (const pid of old.slice(0, share)) {
      if (performance.now() - start > this.budgetMs) break;
      if (this.list(pid, t)) changed.push(pid);
    }
    return changed;
  }

  /** The table of one process as last listed (undefined when never listed or gone). */
  table(pid: number): FdTable | undefined {
    return this.tables.get(pid)?.table;
  }

  /** The pids holding a socket, ascending. */
  holdersOf(inode: number): number[] {
    if (inode === 0) return [];
    if (!this.byInode) {
      const map = new Map<number, number[]>();
      for (const [pid, e] of this.tables) {
        for (const ino of new Set(e.table.sockets.values())) {
          const list = map.get(ino);
          if (list) list.push(pid);
          else map.set(ino, [pid]);
        }
      }
      for (const list of map.values()) list.sort((a, b) => a - b);
      this.byInode = map;
    }
    return this.byInode.get(inode) ?? [];
  }

  /** Lists one process now; true when its table differs from the last listing. */
  private list(pid: number, t: number): boolean {
    const targets = fdTargets(pid);
    const before = this.tables.get(pid);
    if (!targets) {
      if (before) {
        this.tables.delete(pid);
        this.byInode = null;
        return true;
      }
      return false;
    }
    const sockets = new Map<number, number>();
    for (const [fd, target] of targets) {
      const inode = socketInode(target);
      if (inode) sockets.set(fd, inode);
    }
    const table: FdTable = { count: targets.size, sockets };
    this.tables.set(pid, { table, at: t });
    const same = before !== undefined && sameTable(before.table, table);
    if (!same) this.byInode = null;
    return !same;
  }
}

function sameTable(a: FdTable, b: FdTable): boolean {
  if (a.count !== b.count || a.sockets.size !== b.sockets.size) return false;
  for (const [fd, inode] of a.sockets) if (b.sockets.get(fd) !== inode) return false;
  return true;
}
