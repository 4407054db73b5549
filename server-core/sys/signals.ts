// execve(): replacing this process's program with a fresh one — the same pid, the same open
// descriptors — for a master that must start over with its environment changed
// (sigchld-eintr.ts).
import { libc } from './libc';

const F_SETFD = 2;
const execve_ = libc.func('int execve(const char *path, const char **argv, const char **envp)');
const fcntl_ = libc.func('int fcntl(int fd, int cmd, ...)');

/** Runs `argv` in place of this program; returns only when execve() failed. Node marks fds 0–2 close-on-exec: they are kept. */
export function execSelf(path: string, argv: string[], env: Record<string, string>): void {
  for (const fd of [0, 1, 2]) fcntl_(fd, F_SETFD, 'int', 0);
  execve_(path, [...argv, null], [...Object.entries(env).map(([k, v]) => `${k}=${v}`), null]);
}
