// The tutorial's EINTR lesson: a child exits while the parent waits in accept(); SIGCHLD's
// handler runs, and the call it interrupted fails with EINTR ("Interrupted system call") and
// must be issued again. forkscope's fork-model master makes it happen for real, every time:
//
//   - the kernel sends SIGCHLD to the thread that started the child (unless that thread
//     blocks it) — not to the process at large, where any thread could take it;
//   - the master waits for connections on one of libuv's pool threads (listener.ts: poll(), so
//     Node's event loop keeps turning), and starts each worker on a pool thread too
//     (sys/spawn.ts: posix_spawn through koffi's .async);
//   - with a pool of one thread, they are the same thread: the wait for connections is the
//     thread the signal goes to. poll() returns EINTR, the handler has run (Node's SIGCHLD
//     listeners, reaper.ts, hear of it), and the wait is issued again — an `eintr` event says so.
//
// libuv makes its pool before any of our code runs, with UV_THREADPOOL_SIZE threads (4 by
// default). So the fork-model master starts over once, at once, with UV_THREADPOOL_SIZE=1:
// execve() — the same pid, the same descriptors.
import { execSelf } from './sys/signals';

/** Returns once libuv's pool in this process has one thread (after starting over, if need be). */
export function oneWaitingThread(): void {
  if (process.env.UV_THREADPOOL_SIZE === '1') return;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.UV_THREADPOOL_SIZE = '1';
  execSelf(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env);
  // execve() failed: carry on with the pool we have (the lesson then happens only by chance).
}
