// What the kernel says about a process, read from /proc at run time. Cheap reads for pids
// we know (our own children, ourselves) — never a scan of all of /proc, which on a busy
// machine takes long enough to distort the very timings forkscope shows.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Linux has /proc; on macOS the events that need it (exit before wait, zombies) are unavailable. */
export const hasProc = existsSync('/proc/self/stat');

export interface PidStat {
  /** R, S, D, Z, T, … */
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/** /proc/PID/stat, or null when the pid does not exist (or /proc is missing). */
export function readPidStat(pid: number | 'self'): PidStat | null {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // comm may hold spaces and parentheses: fields start after the last ')'.
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) };
}

/** The state letter of a pid, or null when it does not exist. */
export function pidState(pid: number): string | null {
  return readPidStat(pid)?.state ?? null;
}

/** How many fds this process has open, or null without /proc. */
export function selfFdCount(): number | null {
  try {
    return readdirSync('/proc/self/fd').length - 1; // minus the fd readdir itself opened
  } catch {
    return null;
  }
}
