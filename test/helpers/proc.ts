// The kernel's word, for assertions: read /proc directly (never through the code under test).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  state: string;
  pgrp: number;
  comm: string;
}

export function readStat(pid: number): ProcStat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: split at the last ')'.
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const rest = s.slice(close + 2).split(' ');
    return { pid, comm, state: rest[0], ppid: Number(rest[1]), pgrp: Number(rest[2]) };
  } catch {
    return null;
  }
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** Children of `ppid` as the kernel reports them. */
export function childrenOf(ppid: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const pid of allPids()) {
    const st = readStat(pid);
    if (st && st.ppid === ppid) out.push(st);
  }
  return out;
}

export function zombieChildrenOf(ppid: number): number[] {
  return childrenOf(ppid)
    .filter((p) => p.state === 'Z')
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

/** Every live process in process group `pgrp`. */
export function processGroup(pgrp: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const pid of allPids()) {
    const st = readStat(pid);
    if (st && st.pgrp === pgrp) out.push(st);
  }
  return out;
}

export function isAlive(pid: number): boolean {
  return readStat(pid) !== null;
}

export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
