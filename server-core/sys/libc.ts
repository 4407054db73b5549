// The C library, opened once through koffi. Every raw system call forkscope makes goes
// through a binding declared in server-core/sys/*.ts on top of this handle.
import koffi from 'koffi';
import { constants as osConstants } from 'node:os';

export { koffi };

function openLibc(): ReturnType<typeof koffi.load> {
  if (process.platform === 'win32') {
    throw new Error('forkscope needs a Unix kernel (Linux or macOS): process-per-connection servers use fork/exec, signals and wait().');
  }
  const names = process.platform === 'darwin' ? ['libSystem.B.dylib'] : ['libc.so.6', 'libc.so'];
  let last: unknown;
  for (const name of names) {
    try {
      return koffi.load(name);
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`could not load the C library: ${String(last)}`);
}

export const libc = openLibc();

// Some numbers have two names (11: EAGAIN and EWOULDBLOCK). The first listed is the usual one,
// and the one the code and the messages test for, so it wins.
const errnoNames = new Map<number, string>();
for (const [name, num] of Object.entries(osConstants.errno)) if (!errnoNames.has(num)) errnoNames.set(num, name);

/** errno number → name ('EINTR'); unknown numbers come back as 'E<num>'. */
export function errnoName(n: number): string {
  return errnoNames.get(n) ?? `E${n}`;
}

export const E = osConstants.errno;

/** An error carrying the errno of a failed system call. */
export class SysError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly call: string;
  constructor(call: string, errno: number) {
    super(`${call}: ${errnoName(errno)} (${strerror(errno)})`);
    this.call = call;
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

const strerror_ = libc.func('const char *strerror(int errnum)');
export function strerror(n: number): string {
  return String(strerror_(n));
}

/** Reads errno after a failed call made synchronously on this thread. */
export function errno(): number {
  return koffi.errno();
}

/** Throws SysError when a libc call returned -1. */
export function check(call: string, rc: number): number {
  if (rc === -1) throw new SysError(call, koffi.errno());
  return rc;
}
