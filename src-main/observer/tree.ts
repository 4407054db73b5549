// One pass over /proc: the supervisor, the master, everything under the master, and the
// run's orphans (workers whose master died, now children of the supervisor, a subreaper).
import type { ProcInfo } from '../../server-core/events';
import { childrenByParent, childrenOf, cmdline, fdCount, hasChildrenFiles, readStat, type Stat } from '../../server-core/observe/procfs';
import { pageSize } from '../../server-core/sys/sysconf';

export interface TreeQuery {
  self: number;
  master: number | null;
  /** Process groups of this supervisor's runs: a child of ours in one of them is an orphan. */
  groups: ReadonlySet<number>;
  /** ms on the run's clock of boot tick 0 (start times are in ticks since boot). */
  bootMs: number;
  clockTicks: number;
  /** 'children' reads /proc/PID/task/TID/children; 'walk' reads every /proc/PID/stat. */
  mode: 'children' | 'walk';
  /** Zombies of the previous pass: a zombie never changes, so it is not read again. */
  zombies: Map<number, ProcInfo> | null;
}

export interface Tree {
  procs: Map<number, ProcInfo>;
  /** The master's direct children, pid → state; null when there is no live master. */
  masterChildren: Map<number, string> | null;
  /** Children of the supervisor that belong to a run but are not the master. */
  orphans: number[];
  /** Zombies among workers and orphans, as the kernel reports them. */
  zombies: number;
}

export const defaultMode: 'children' | 'walk' = hasChildrenFiles ? 'children' : 'walk';

type Role = ProcInfo['role'];

export function readTree(q: TreeQuery): Tree {
  const lister = q.mode === 'children' ? childrenOf : walkLister();
  const procs = new Map<number, ProcInfo>();
  const info = (st: Stat, role: Role): ProcInfo => toInfo(st, role, q);

  const self = readStat(q.self);
  if (self) procs.set(q.self, info(self, 'supervisor'));

  const orphans: number[] = [];
  let masterChildren: Map<number, string> | null = null;
  for (const pid of lister(q.self)) {
    if (pid === q.master) continue;
    const st = readStat(pid);
    if (!st || !q.groups.has(st.pgrp)) continue; // not ours (e.g. Electron's helpers)
    orphans.push(pid);
    procs.set(pid, info(st, 'orphan'));
    if (st.state !== 'Z') descend(pid, lister, procs, q, 'orphan');
  }

  if (q.master !== null) {
    const st = readStat(q.master);
    if (st && st.ppid === q.self) {
      procs.set(q.master, info(st, 'master'));
      if (st.state !== 'Z') masterChildren = descend(q.master, lister, procs, q, 'worker');
    }
  }

  // Nothing of a run is left: no tree to show (not even the supervisor alone).
  if (!orphans.length && !(q.master !== null && procs.has(q.master))) procs.clear();

  let zombies = 0;
  for (const p of procs.values()) if (p.state === 'Z' && (p.role === 'worker' || p.role === 'orphan')) zombies++;
  return { procs, masterChildren, orphans, zombies };
}

/** Adds every descendant of `root`; returns root's direct children (pid → state). */
function descend(root: number, lister: (pid: number) => number[], procs: Map<number, ProcInfo>, q: TreeQuery, role: Role): Map<number, string> {
  const direct = new Map<number, string>();
  const queue: number[] = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const pid of lister(parent)) {
      if (procs.has(pid)) continue;
      const cached = q.zombies?.get(pid);
      let p: ProcInfo;
      if (cached && cached.ppid === parent) {
        p = cached;
      } else {
        const st = readStat(pid);
        if (!st || st.ppid !== parent) continue; // gone, or reparented since the list was read
        p = toInfo(st, role, q);
      }
      procs.set(pid, p);
      if (parent === root) direct.set(pid, p.state);
      if (p.state !== 'Z') queue.push(pid);
    }
  }
  return direct;
}

function toInfo(st: Stat, role: Role, q: TreeQuery): ProcInfo {
  const zombie = st.state === 'Z';
  return {
    pid: st.pid,
    ppid: st.ppid,
    state: st.state,
    start: Math.round(((st.startTicks * 1000) / q.clockTicks + q.bootMs) * 10) / 10,
    cmd: zombie ? `[${st.comm}]` : cmdline(st.pid) || `[${st.comm}]`,
    fds: zombie ? null : fdCount(st.pid),
    rssKb: (st.rssPages * pageSize) / 1024,
    role,
  };
}

/** Without children files: one walk over /proc builds the parent → children map for this pass. */
function walkLister(): (pid: number) => number[] {
  let byParent: Map<number, number[]> | null = null;
  return (parent) => {
    byParent ??= childrenByParent();
    return byParent.get(parent) ?? [];
  };
}
