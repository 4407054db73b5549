// Kernel constants the observer needs to turn /proc numbers into ms and KiB.
import { libc } from './libc';

const sysconf_ = libc.func('long sysconf(int name)');
// glibc values of the _SC_ names (Linux; /proc readers only run there).
const SC_CLK_TCK = 2;
const SC_PAGESIZE = 30;

function ask(name: number, fallback: number): number {
  const v = Number(sysconf_(name));
  return v > 0 ? v : fallback;
}

/** Clock ticks per second of /proc/PID/stat times (USER_HZ). */
export const clockTicks = ask(SC_CLK_TCK, 100);
export const pageSize = ask(SC_PAGESIZE, 4096);
