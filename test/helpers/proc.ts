// The kernel's word, for assertions: read /proc directly (never through the code under test).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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

/**
 * True when a single-threaded server is back in accept() with no SIGCHLD pending: every
 * signal it was sent has been delivered and its handler has run (a handler interrupts accept,
 * which is called again only after it returns).
 */
export function idleInAccept(pid: number): boolean {
  try {
    // Pending first, then where it sleeps: none pending, then in accept() means every handler has returned.
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const pending = (field: string): bigint => BigInt('0x' + (new RegExp(`^${field}:\\s*([0-9a-f]+)`, 'm').exec(status)?.[1] ?? '0'));
    const SIGCHLD = 1n << 16n; // signal n is bit n − 1
    if (((pending('SigPnd') | pending('ShdPnd')) & SIGCHLD) !== 0n) return false;
    return readFileSync(`/proc/${pid}/wchan`, 'latin1').trim() === 'inet_csk_accept';
  } catch {
    return false;
  }
}

export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export interface TcpRow {
  localPort: number;
  remotePort: number;
  /** Kernel state number: 1 ESTABLISHED, 8 CLOSE_WAIT, 10 LISTEN… */
  state: number;
  /** LISTEN: the accept-queue length. Others: unread bytes. */
  rxQueue: number;
  inode: number;
}

/**
 * The kernel's TCP table for one local port, from /proc/net/tcp and tcp6: an account of
 * sockets independent of inet_diag (what forkscope observe reads), for assertions.
 */
export function tcpRows(localPort: number): TcpRow[] {
  const out: TcpRow[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const port = parseInt(f[1].split(':')[1], 16);
      if (port !== localPort) continue;
      out.push({ localPort: port, remotePort: parseInt(f[2].split(':')[1], 16), state: parseInt(f[3], 16), rxQueue: parseInt(f[4].split(':')[1], 16), inode: Number(f[9]) });
    }
  }
  return out;
}

/** Socket inodes a process holds open (readlink of /proc/PID/fd/*). */
export function socketInodes(pid: number): number[] {
  const out: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.push(Number(m[1]));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}
