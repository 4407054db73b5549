// The kernel's word, read cheaply: small /proc files through one reusable buffer
// (open/read/close, no stat, no allocation per file), because the observers read hundreds
// of them ten times a second. KeptFile goes further for files read every pass: it keeps the
// file open and re-reads it from offset 0 (pread), several times cheaper than opening it again.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';

const buf = Buffer.allocUnsafe(256 * 1024);

/**
 * Reads a /proc file whole (up to 256 KiB) as latin1; null when it is gone or unreadable.
 * `oneRecord`: the file is made in one piece (stat, status), so a short read is its end and no
 * second read is needed; files of many records (children, maps) come a page or so per read.
 */
export function readProcFile(path: string, max = buf.length, oneRecord = false): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let n = 0;
    const limit = Math.min(max, buf.length);
    for (;;) {
      const want = limit - n;
      const got = readSync(fd, buf, n, want, null);
      n += got;
      if (got === 0 || n >= limit || (oneRecord && got < want)) break;
    }
    return buf.toString('latin1', 0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * A /proc file kept open and re-read from its start. A kept /proc/PID/… of a process that has
 * been reaped reads as ESRCH (null here) for ever, even when the pid is reused: a new process
 * with the old number can never be mistaken for the old one.
 */
export class KeptFile {
  private fd: number;

  private constructor(
    fd: number,
    private readonly oneRecord: boolean,
  ) {
    this.fd = fd;
  }

  /** null when the file cannot be opened (the process is gone, or not ours to read). `oneRecord`: as for readProcFile. */
  static open(path: string, oneRecord = false): KeptFile | null {
    try {
      return new KeptFile(openSync(path, 'r'), oneRecord);
    } catch {
      return null;
    }
  }

  /** The file's text now (up to 256 KiB); null once its process is gone. */
  read(): string | null {
    if (this.fd < 0) return null;
    try {
      let n = 0;
      for (;;) {
        const want = buf.length - n;
        const got = readSync(this.fd, buf, n, want, n);
        n += got;
        if (got === 0 || n >= buf.length || (this.oneRecord && got < want)) break;
      }
      return buf.toString('latin1', 0, n);
    } catch {
      return null;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
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
  /** A zombie's wait status as waitpid() will report it (field 52; 0 for a live process). */
  exitStatus: number;
  /** Threads (field 20). */
  threads: number;
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
    exitStatus: Number(rest[49] ?? 0),
    threads: Number(rest[17]),
  };
}

export function readStat(pid: number): Stat | null {
  const s = readProcFile(`/proc/${pid}/stat`, buf.length, true);
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

/** Every process's children, from one walk over /proc (for kernels without children files). */
export function childrenByParent(): Map<number, number[]> {
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

/** Open file descriptors; null for a zombie or a process we may not look into. */
export function fdCount(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** The targets of a process's open fds (fd → `socket:[123]`, `/dev/pts/0`, …); null when not ours to read or gone. */
export function fdTargets(pid: number): Map<number, string> | null {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const out = new Map<number, string>();
  for (const name of names) {
    try {
      out.set(Number(name), readlinkSync(`/proc/${pid}/fd/${name}`));
    } catch {
      // closed between the listing and the readlink
    }
  }
  return out;
}

/** The socket inode an fd target names (`socket:[123]` → 123), or 0 for anything else. */
export function socketInode(target: string): number {
  return target.startsWith('socket:[') ? Number(target.slice(8, -1)) : 0;
}

/** SigCgt / SigIgn / uid from /proc/PID/status; null when gone or unreadable. */
export interface Status {
  /** Signals with a handler installed (bit n−1 for signal n). */
  caught: bigint;
  ignored: bigint;
  uid: number;
}

export function parseStatus(s: string): Status {
  const field = (name: string): string => {
    const at = s.indexOf(`\n${name}:`);
    if (at < 0) return '';
    const end = s.indexOf('\n', at + 1);
    return s.slice(at + name.length + 2, end < 0 ? undefined : end).trim();
  };
  const mask = (name: string): bigint => {
    const v = field(name);
    return /^[0-9a-f]+$/i.test(v) ? BigInt(`0x${v}`) : 0n;
  };
  return { caught: mask('SigCgt'), ignored: mask('SigIgn'), uid: Number(field('Uid').split(/\s+/)[0]) };
}

export function readStatus(pid: number): Status | null {
  const s = readProcFile(`/proc/${pid}/status`, buf.length, true);
  return s === null ? null : parseStatus(s);
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
