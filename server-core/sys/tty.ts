// Is this process in the terminal's foreground? A background job that reads its terminal
// is stopped by SIGTTIN, so `forkscope serve &` must not read commands from a TTY stdin.
import { libc } from './libc';

const tcgetpgrp_ = libc.func('int tcgetpgrp(int fd)');
const getpgrp_ = libc.func('int getpgrp(void)');

/** true when fd is a terminal whose foreground process group is ours. */
export function inForeground(fd: number): boolean {
  const fg = tcgetpgrp_(fd);
  return fg !== -1 && fg === getpgrp_();
}
