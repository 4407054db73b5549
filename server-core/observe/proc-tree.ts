// The observed server's process tree, read from /proc ten times a second: the server and every
// descendant, with their states. Each process's stat and children files stay open between
// passes (KeptFile), and a zombie is not read again — it cannot change, only disappear from
// its parent's children list when it is reaped. With 300 children a pass takes a few ms this
// way, against tens of ms opening every file afresh.
import { readdirSync } from 'node:fs';
import { allPids, cmdline, hasChildrenFiles, KeptFile, parseStat, readStat, type Stat } from './procfs';

export interface TreeProc extends Stat {
  /** The command line (re-read by refresh(): a child may exec). */
  cmd: string;
}

interface Handle {
  stat: KeptFile;
  /** One children file per thread: a child belongs to the thread that forked it. */
  children: KeptFile[];
  cmd: string;
}

export class ProcTree {
  private readonly handles = new Map<number, Handle>();
  /** Zombies of the last pass: their stat never changes. */
  private zombies = new Map<number, TreeProc>();

  constructor(readonly root: number) {}

  /**
   * One pass: the root and every descendant, parents before children. Empty when the root is
   * gone (reaped, or a zombie itself: then its children are no longer its own).
   */
  read(): Map<number, TreeProc> {
    const procs = new Map<number, TreeProc>();
    const root = this.readProc(this.root, null);
    if (root) {
      procs.set(root.pid, root);
      if (root.state === 'Z') this.closeHandle(root.pid);
      const queue = root.state === 'Z' ? [] : [root.pid];
      const walk = hasChildrenFiles ? null : parentMap();
      while (queue.length) {
        const parent = queue.shift()!;
        for (const pid of walk ? (walk.get(parent) ?? []) : this.childrenOf(parent)) {
          if (procs.has(pid)) continue;
          const z = this.zombies.get(pid);
          if (z && z.ppid === parent) {
            procs.set(pid, z);
            continue;
          }
          const p = this.readProc(pid, parent);
          if (!p || p.ppid !== parent) continue; // gone, or reparented since the list was read
          procs.set(pid, p);
          if (p.state === 'Z') this.closeHandle(pid);
          else queue.push(pid);
        }
      }
    }
    const zombies = new Map<number, TreeProc>();
    for (const [pid, p] of procs) if (p.state === 'Z') zombies.set(pid, p);
    this.zombies = zombies;
    for (const pid of [...this.handles.keys()]) if (!procs.has(pid)) this.closeHandle(pid);
    return procs;
  }

  /** Re-lists a process's threads and re-reads its command line (call about once a second per process). */
  refresh(pid: number): void {
    const h = this.handles.get(pid);
    if (!h) return;
    for (const f of h.children) f.close();
    h.children = openChildren(pid);
    h.cmd = cmdline(pid) || h.cmd;
  }

  close(): void {
    for (const pid of [...this.handles.keys()]) this.closeHandle(pid);
    this.zombies.clear();
  }

  private readProc(pid: number, parent: number | null): TreeProc | null {
    let h = this.handles.get(pid);
    let text = h?.stat.read() ?? null;
    if (text === null && h) {
      // The process we had open is gone; a listed pid is then a new process with the old
      // number (never for the root: a reused root pid is not our server).
      this.closeHandle(pid);
      h = undefined;
      if (parent === null) return null;
    }
    if (!h) {
      const stat = KeptFile.open(`/proc/${pid}/stat`);
      if (!stat) return null;
      text = stat.read();
      if (text === null) {
        stat.close();
        return null;
      }
      h = { stat, children: [], cmd: '' };
      const st = parseStat(pid, text);
      if (st && st.state !== 'Z') {
        h.children = openChildren(pid);
        h.cmd = cmdline(pid);
      }
      this.handles.set(pid, h);
    }
    const st = text === null ? null : parseStat(pid, text);
    if (!st) return null;
    return { ...st, cmd: st.state === 'Z' ? `[${st.comm}]` : h.cmd || `[${st.comm}]` };
  }

  private childrenOf(pid: number, retried = false): number[] {
    const h = this.handles.get(pid);
    if (!h) return [];
    const out: number[] = [];
    let stale = false;
    for (const f of h.children) {
      const s = f.read();
      if (s === null) {
        stale = true; // that thread has ended: its children moved to another thread
        continue;
      }
      for (const word of s.split(' ')) if (word) out.push(Number(word));
    }
    if (stale && !retried) {
      this.refresh(pid);
      return this.childrenOf(pid, true);
    }
    return out;
  }

  private closeHandle(pid: number): void {
    const h = this.handles.get(pid);
    if (!h) return;
    h.stat.close();
    for (const f of h.children) f.close();
    this.handles.delete(pid);
  }
}

function openChildren(pid: number): KeptFile[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: KeptFile[] = [];
  for (const tid of tids) {
    const f = KeptFile.open(`/proc/${pid}/task/${tid}/children`);
    if (f) out.push(f);
  }
  return out;
}

/** Without children files (old kernels): one walk over /proc gives every parent's children. */
function parentMap(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const pid of allPids()) {
    const st = readStat(pid);
    if (!st) continue;
    const list = byParent.get(st.ppid);
    if (list) list.push(pid);
    else byParent.set(st.ppid, [pid]);
  }
  return byParent;
}
