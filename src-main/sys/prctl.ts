// prctl(PR_SET_CHILD_SUBREAPER): orphans of a master that died are reparented to the
// supervisor instead of PID 1, so the app can still see them, and reap them by pid.
import { libc, check } from '../../server-core/sys/libc';

const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;

// prctl is variadic in C; every option we use takes unsigned longs, so declare five.
const prctl_ = process.platform === 'linux' ? libc.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)') : null;
const prctlGet_ = process.platform === 'linux' ? libc.func('int prctl(int option, _Out_ int *value, unsigned long a3, unsigned long a4, unsigned long a5)') : null;

/** Makes this process a child subreaper. Returns false where the kernel has no such thing (macOS). */
export function becomeSubreaper(): boolean {
  if (!prctl_) return false;
  check('prctl(PR_SET_CHILD_SUBREAPER)', prctl_(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) as number);
  return true;
}

export function isSubreaper(): boolean {
  if (!prctlGet_) return false;
  const out = [0];
  check('prctl(PR_GET_CHILD_SUBREAPER)', prctlGet_(PR_GET_CHILD_SUBREAPER, out, 0, 0, 0) as number);
  return out[0] !== 0;
}
