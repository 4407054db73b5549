// wait() and kill(): how a parent learns how its child ended, and how it signals one.
// A child that has exited stays a zombie — its pid and exit status kept by the kernel —
// until its parent collects it with waitpid (the tutorial's zombie lesson); kill -9 cannot
// remove it.
import { constants as osConstants } from 'node:os';
import { tracer, traced } from './calls';
import { check, E, errnoName, koffi, libc, SysError } from './libc';

const waitpid_ = libc.func('int waitpid(int pid, _Out_ int *status, int options)');
const kill_ = libc.func('int kill(int pid, int sig)');

export const WNOHANG = 1;

export interface WaitResult {
  pid: number;
  /** Exit code when the child called exit(). */
  code?: number;
  /** Signal name when a signal ended it. */
  signal?: string;
  /** The raw wait status. */
  status: number;
}

/**
 * waitpid(pid, WNOHANG): a result, or null when no matching child has ended yet (or there is
 * no child at all: ECHILD). Never blocks.
 *
 * waitpid(-1) collects ANY child. The master (server-core) starts no child_process children,
 * so waitpid(-1) is allowed IN THE MASTER — it is the tutorial's lesson: one waitpid(-1, WNOHANG)
 * loop collects every zombie of a burst. A process that also uses child_process must wait
 * for known pids only: a waitpid(-1) there steals libuv's children and their `exit` events.
 */
export function waitNoHang(pid: number): WaitResult | null {
  const status = [0];
  for (;;) {
    const rc = waitpid_(pid, status, WNOHANG) as number;
    const errno = rc < 0 ? koffi.errno() : 0;
    if (tracer) traced('wait4', `${pid}, ${rc > 0 ? `[${describeStatus(status[0])}]` : '…'}, WNOHANG, NULL`, rc, rc < 0 ? errnoName(errno) : undefined);
    if (rc > 0) return decodeStatus(rc, status[0]);
    if (rc === 0) return null;
    if (errno === E.EINTR) continue; // a signal landed mid-call: issued again
    if (errno === E.ECHILD) return null;
    throw new SysError('waitpid', errno);
  }
}

/** WIFEXITED / WEXITSTATUS / WIFSIGNALED / WTERMSIG, as <sys/wait.h> defines them. */
export function decodeStatus(pid: number, status: number): WaitResult {
  const low = status & 0x7f;
  if (low === 0) return { pid, code: (status >> 8) & 0xff, status };
  if (low !== 0x7f) return { pid, signal: signalName(low), status };
  return { pid, status }; // stopped / continued: not asked for (no WUNTRACED)
}

const signalNames = new Map<number, string>();
for (const [name, num] of Object.entries(osConstants.signals)) if (!signalNames.has(num)) signalNames.set(num, name);

export function signalName(n: number): string {
  return signalNames.get(n) ?? `SIG${n}`;
}

/** 'SIGKILL', 'KILL', 'kill', 9 or '9' → 9; undefined when unknown. */
export function signalNumber(sig: number | string): number | undefined {
  if (typeof sig === 'number') return Number.isInteger(sig) && sig >= 0 && sig < 65 ? sig : undefined;
  const s = sig.trim();
  if (/^\d+$/.test(s)) return signalNumber(Number(s));
  const name = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
  return (osConstants.signals as Record<string, number>)[name];
}

/** kill(2). Throws SysError (ESRCH, EPERM). Killing a zombie succeeds and changes nothing. */
export function sendSignal(pid: number, sig: number): void {
  const rc = kill_(pid, sig) as number;
  if (tracer) traced('kill', `${pid}, ${signalName(sig)}`, rc, rc < 0 ? errnoName(koffi.errno()) : undefined);
  check('kill', rc);
}

/** A wait status as strace shows it: {WIFEXITED(s) && WEXITSTATUS(s) == 0}. */
function describeStatus(status: number): string {
  const r = decodeStatus(0, status);
  return r.signal ? `{WIFSIGNALED(s) && WTERMSIG(s) == ${r.signal}}` : `{WIFEXITED(s) && WEXITSTATUS(s) == ${r.code ?? '?'}}`;
}
