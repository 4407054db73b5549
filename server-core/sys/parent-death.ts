// PR_SET_PDEATHSIG: the kernel signals this process when its parent dies. A prefork worker asks
// for SIGKILL, so it never outlives its master — an orphan would go on accepting on the port,
// and a new server could not bind it. Linux only (elsewhere a worker notices its new parent).
import { libc } from './libc';

const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;

/**
 * Asks for SIGKILL when the parent dies; false when the parent is already not `parentPid` —
 * it died before the request was made (the race getppid() closes), so this process is an
 * orphan already and should end.
 */
export function dieWithParent(parentPid: number): boolean {
  if (process.platform === 'linux') {
    const prctl = libc.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)');
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  }
  return process.ppid === parentPid;
}
