// What a process's file descriptors are, as the kernel says (/proc/PID/fd, /proc/PID/limits, and
// sock_diag for its sockets): the listening socket, connections, pipes, the event loop's own
// descriptors, files. The process details show them so the arithmetic behind an EMFILE is
// visible — a Node process holds a dozen descriptors before it serves anyone.
import { tcpSocketsOnPort, type TcpSocket } from '../../server-core/observe/inet-diag';
import { fdTargets, readProcFile } from '../../server-core/observe/procfs';
import type { FdEntry, FdKind, FdTable } from '../supervisor/types';

/** The soft RLIMIT_NOFILE of a process: the fd numbers it may use are 0 … limit − 1. */
export function fdLimit(pid: number): number | null {
  const s = readProcFile(`/proc/${pid}/limits`, 8192);
  const m = s && /^Max open files\s+(\d+|unlimited)/m.exec(s);
  return m && m[1] !== 'unlimited' ? Number(m[1]) : null;
}

/** One descriptor's link text ('socket:[123]', 'pipe:[45]', 'anon_inode:[eventpoll]', a path) → what it is. */
export function classify(fd: number, link: string, tcp: ReadonlyMap<number, TcpSocket>): FdEntry {
  const std = fd === 0 ? 'stdin' : fd === 1 ? 'stdout' : fd === 2 ? 'stderr' : undefined;
  const entry = (kind: FdKind, detail: string): FdEntry => ({ fd, kind, detail, ...(std ? { std } : {}) });
  const socket = /^socket:\[(\d+)\]$/.exec(link);
  if (socket) {
    const s = tcp.get(Number(socket[1]));
    if (!s) return entry('socket', link);
    if (s.state === 'LISTEN') return entry('listener', `LISTEN :${s.localPort}`);
    return entry('connection', `${s.state} :${s.localPort} ⇄ :${s.remotePort}`);
  }
  if (link.startsWith('pipe:')) return entry('pipe', link);
  const anon = /^anon_inode:\[?([\w-]+)\]?$/.exec(link);
  if (anon) return entry(/^(eventpoll|eventfd|signalfd|timerfd|io_uring|inotify)$/.test(anon[1]) ? 'event-loop' : 'other', anon[1]);
  return entry(link.startsWith('/') ? 'file' : 'other', link);
}

/**
 * The descriptors of `pid`, classified. `port`: the server's port, whose TCP sockets the kernel
 * is asked about (the listener and its connections). Null when the process is gone; a zombie
 * has none (`zombie: true`).
 */
export function readFdTable(pid: number, port: number | null, t: number): FdTable | null {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  if (state === 'Z') return { pid, t, zombie: true, limit: fdLimit(pid), fds: [] };
  const links = fdTargets(pid);
  if (!links) return null;
  const tcp = new Map<number, TcpSocket>();
  for (const s of (port ? tcpSocketsOnPort(port) : null) ?? []) if (s.inode) tcp.set(s.inode, s);
  const fds: FdEntry[] = [];
  for (const [fd, link] of links) fds.push(classify(fd, link, tcp));
  fds.sort((a, b) => a.fd - b.fd);
  return { pid, t, zombie: false, limit: fdLimit(pid), fds };
}
