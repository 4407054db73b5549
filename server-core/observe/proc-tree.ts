// The observed server's process tree, read from /proc ten times a second: the server and every
// descendant, with their states. Reading every process's files every pass costs tens of ms
// with 300 children on a loaded machine, so each pass reads only what can have changed:
//   the server's own stat and children files   every pass (kept open, re-read from offset 0);
//   which processes have exited                 one poll() over their pidfds (pidfd.ts);
//   an exited process's stat                    once: Z, and its exit status;
//   a new process                               its stat, command line and children, once;
//   everyone else's stat and children           a share per pass, each about once a second
//                                               within half a millisecond of work per pass —
//                                               every pass for a process that has children;
//   a command line                              when the process is new, or its name changed (exec).
// A zombie is never read again: it cannot change, only disappear from its parent's list when
// it is reaped. Without pidfds (kernels before 5.3) every stat is read every pass.
import { readdirSync } from 'node:fs';
import { childrenByParent, cmdline, hasChildrenFiles, KeptFile, parseStat, readProcFile, type Stat } from './procfs';
import { exitedPidfds, pidfdClose, pidfdOpen } from './pidfd';

export interface TreeProc extends Stat {
  /** The command line (re-read about once a second: a child may exec). */
  cmd: string;
}

interface Node {
  proc: TreeProc;
  /** -1 without one (then its stat is read every pass). */
  pidfd: number;
  /** Children files, one per thread (a child belongs to the thread that forked it); the root's stay open. */
  children: KeptFile[] | null;
  /** It has had children: list them every pass. */
  parent: boolean;
  /** When its stat and children were last read, ms. */
  readAt: number;
}

export class ProcTree {
  private readonly nodes = new Map<number, Node>();
  private rootStat: KeptFile | null = null;

  constructor(
    readonly root: number,
    private readonly everyMs = 1000,
    private readonly passMs = 100,
    private readonly budgetMs = 0.5,
  ) {}

  /**
   * One pass at time `t` (ms): the root and every descendant, parents before children. Empty
   * when the root is gone (it has exited: its children are no longer its own).
   */
  read(t: number): Map<number, TreeProc> {
    const root = this.readRoot(t);
    if (!root) {
      this.close();
      return new Map();
    }
    const watched: Node[] = []; // live, with a pidfd
    const due: Node[] = [];
    let others = 0;
    for (const n of this.nodes.values()) {
      if (n.proc.pid === this.root || n.proc.state === 'Z') continue;
      others++;
      if (n.pidfd < 0) this.reread(n, t); // no pidfd: its stat is the only way to see an exit
      else watched.push(n);
      if (n.readAt <= t - this.everyMs) due.push(n);
    }
    // Exits since the last pass, all at once.
    const exited = exitedPidfds(watched.map((n) => n.pidfd));
    if (exited.length) {
      const set = new Set(exited);
      for (const n of watched) if (set.has(n.pidfd)) this.reread(n, t);
    }
    // A fresh look at the longest unread, within the pass's share and time budget.
    if (due.length) {
      due.sort((a, b) => a.readAt - b.readAt);
      const share = Math.ceil((others * this.passMs) / this.everyMs);
      const start = performance.now();
      for (let i = 0; i < due.length && i < share && performance.now() - start <= this.budgetMs; i++) this.reread(due[i], t);
    }

    const procs = new Map<number, TreeProc>([[this.root, root]]);
    if (root.state !== 'Z') this.walk(procs, t);
    for (const [pid, n] of this.nodes) if (!procs.has(pid)) this.forget(pid, n);
    return procs;
  }

  close(): void {
    this.rootStat?.close();
    this.rootStat = null;
    for (const [pid, n] of this.nodes) this.forget(pid, n);
  }

  private readRoot(t: number): TreeProc | null {
    if (!this.rootStat) this.rootStat = KeptFile.open(`/proc/${this.root}/stat`, true);
    const text = this.rootStat?.read() ?? null;
    const st = text === null ? null : parseStat(this.root, text);
    if (!st) return null;
    let n = this.nodes.get(this.root);
    if (!n) {
      n = { proc: { ...st, cmd: cmdline(this.root) || `[${st.comm}]` }, pidfd: -1, children: openChildren(this.root, true), parent: true, readAt: t };
      this.nodes.set(this.root, n);
    } else if (!sameStat(n.proc, st)) {
      n.proc = { ...st, cmd: n.proc.cmd };
    }
    if (t - n.readAt >= this.everyMs) {
      n.readAt = t;
      n.proc = { ...n.proc, cmd: cmdline(this.root) || n.proc.cmd };
      for (const f of n.children ?? []) f.close();
      n.children = openChildren(this.root, true);
    }
    return n.proc;
  }

  /** Breadth first from the root: each listed child, known or new. */
  private walk(procs: Map<number, TreeProc>, t: number): void {
    const known = new Map<number, number[]>();
    for (const [pid, n] of this.nodes) {
      if (pid === this.root) continue;
      const list = known.get(n.proc.ppid);
      if (list) list.push(pid);
      else known.set(n.proc.ppid, [pid]);
    }
    // Without children files (kernels without CONFIG_PROC_CHILDREN): one walk over /proc per pass.
    const walked = hasChildrenFiles ? null : childrenByParent();
    const queue = [this.root];
    for (let q = 0; q < queue.length; q++) {
      const parent = queue[q];
      const pn = this.nodes.get(parent)!;
      const listed = walked ? (walked.get(parent) ?? []) : pn.parent || pn.readAt === t ? childrenOf(pn) : null;
      if (listed === null) {
        // Not listed this pass: its known children stand as they were.
        for (const pid of known.get(parent) ?? []) if (!procs.has(pid)) this.keep(pid, this.nodes.get(pid)!, procs, queue);
        continue;
      }
      if (listed.length) pn.parent = true;
      for (const pid of listed) {
        if (procs.has(pid)) continue;
        let n = this.nodes.get(pid);
        if (n && n.proc.ppid !== parent) {
          this.forget(pid, n); // a new process with an old number
          n = undefined;
        }
        if (!n) {
          const fresh = this.open(pid, t);
          if (!fresh || fresh.proc.ppid !== parent) {
            if (fresh) this.forget(pid, fresh);
            continue; // gone, or reparented since the list was read
          }
          n = fresh;
          this.nodes.set(pid, n);
        }
        this.keep(pid, n, procs, queue);
      }
    }
  }

  private keep(pid: number, n: Node, procs: Map<number, TreeProc>, queue: number[]): void {
    procs.set(pid, n.proc);
    if (n.proc.state !== 'Z') queue.push(pid);
  }

  private open(pid: number, t: number): Node | null {
    const text = readProcFile(`/proc/${pid}/stat`, undefined, true);
    const st = text === null ? null : parseStat(pid, text);
    if (!st) return null;
    const zombie = st.state === 'Z';
    return {
      proc: { ...st, cmd: zombie ? `[${st.comm}]` : cmdline(pid) || `[${st.comm}]` },
      pidfd: zombie ? -1 : pidfdOpen(pid),
      children: null,
      parent: false,
      readAt: t,
    };
  }

  /** Reads a process's stat again (and, once a second, its command line). */
  private reread(n: Node, t: number): void {
    const pid = n.proc.pid;
    const text = readProcFile(`/proc/${pid}/stat`, undefined, true);
    const st = text === null ? null : parseStat(pid, text);
    if (!st || st.startTicks !== n.proc.startTicks) {
      // Reaped (its parent's list will say so); keep the last state until then.
      n.readAt = t;
      return;
    }
    const zombie = st.state === 'Z';
    const cmd = zombie ? `[${st.comm}]` : st.comm !== n.proc.comm ? cmdline(pid) || `[${st.comm}]` : n.proc.cmd;
    if (!sameStat(n.proc, st) || cmd !== n.proc.cmd) n.proc = { ...st, cmd };
    n.readAt = t;
    if (zombie) {
      pidfdClose(n.pidfd);
      n.pidfd = -1;
    }
  }

  private forget(pid: number, n: Node): void {
    pidfdClose(n.pidfd);
    n.pidfd = -1;
    if (pid === this.root) for (const f of n.children ?? []) f.close();
    this.nodes.delete(pid);
  }
}

/** What a pass reports about a process: a new object only when one of these moved. */
function sameStat(a: Stat, b: Stat): boolean {
  return a.state === b.state && a.ppid === b.ppid && a.pgrp === b.pgrp && a.rssPages === b.rssPages && a.exitStatus === b.exitStatus && a.comm === b.comm && a.threads === b.threads;
}

/** The root's children files stay open (read every pass); anyone else's are opened when read. */
function openChildren(pid: number, keep: boolean): KeptFile[] {
  if (!keep) return [];
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

function childrenOf(n: Node): number[] {
  const out: number[] = [];
  const add = (s: string | null): void => {
    if (s) for (const word of s.split(' ')) if (word) out.push(Number(word));
  };
  if (n.children) {
    for (const f of n.children) add(f.read());
    return out;
  }
  const pid = n.proc.pid;
  if (n.proc.threads === 1) {
    add(readProcFile(`/proc/${pid}/task/${pid}/children`));
    return out;
  }
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) add(readProcFile(`/proc/${pid}/task/${tid}/children`));
  return out;
}
