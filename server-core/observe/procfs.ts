// The kernel's word, read cheaply: small /proc files through one reusable buffer
// (open/read/close, no stat, no allocation per file), because the observer reads hundreds
// of them ten times a second.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

const buf = Buffer.allocUnsafe(256 * 1024);

/** Reads a /proc file whole (up to 256 KiB) as latin1; null when it is gone or unreadable. */
export function readProcFile(path: string, max = buf.length): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, Math.min(max, buf.length) - n, null);
      if (got === 0) break;
      n += got;
      if (n >= Math.min(max, buf.length)) break;
    }
    return buf.toString('latin1', 0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export interface Stat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  /** Start time in clock ticks since boot. */
  startTicks: number;
  /** Resident pages. */
  rssPages: number;
}

/** Parses /proc/PID/stat; comm may hold spaces and parentheses, so split at the last ')'. */
export function parseStat(pid: number, s: string): Stat | null {
  const close = s.lastIndexOf(')');
  if (close < 0) return null;
  const rest = s.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return {
    pid,
    comm: s.slice(s.indexOf('(') + 1, close),
    state: rest[0],
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    startTicks: Number(rest[19]),
    rssPages: Number(rest[21]),
  };
}

export function readStat(pid: number): Stat | null {
  const s = readProcFile(`/proc/${pid}/stat`);
  return s === null ? null : parseStat(pid, s);
}

/** Whether the kernel offers /proc/PID/task/TID/children (Linux ≥ 3.5 with CONFIG_PROC_CHILDREN). */
export const hasChildrenFiles: boolean = process.platform === 'linux' && existsSync(`/proc/self/task/${process.pid}/children`);

/**
 * Children of `pid`, zombies included. A child belongs to the thread that created it, so
 * every thread's list is read (posix_spawn may run on a libuv pool thread).
 */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    const s = readProcFile(`/proc/${pid}/task/${tid}/children`);
    if (!s) continue;
    for (const word of s.split(' ')) if (word) out.push(Number(word));
  }
  return out;
}

/** Every pid on the machine (the fallback walk when there are no children files). */
export function allPids(): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out; // no /proc (macOS): the kernel's word is not available this way
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

/** Open file descriptors; null for a zombie or a process we may not look into. */
export function fdCount(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** The command line, arguments joined by spaces, capped; '' for a zombie. */
export function cmdline(pid: number, cap = 512): string {
  const s = readProcFile(`/proc/${pid}/cmdline`, 4096);
  if (!s) return '';
  const joined = s.replace(/\0+$/, '').split('\0').join(' ');
  return joined.length > cap ? `${joined.slice(0, cap - 1)}…` : joined;
}

/** CLOCK_BOOTTIME − CLOCK_MONOTONIC in ms, from /proc/uptime (10 ms resolution, as start times). */
export function bootOffsetMs(monotonicNowMs: number): number {
  try {
    const up = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;
    return up - monotonicNowMs;
  } catch {
    return 0;
  }
}
