// Every sentence the process models (iterative, fork, prefork) and the arbiter show a person,
// kept together so a translation can follow.
const msg = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const P = {
  spawnFailed: (err: unknown): string => `The server could not start a process for this connection (posix_spawn): ${msg(err)}`,
  /** The 503 a client gets through the reserve descriptor when the server has none left. */
  emfileRefused: 'The server is out of file descriptors (EMFILE): this connection was accepted with its reserve descriptor only to say so. Try again shortly.',
  spawnFailedEagain:
    'The server could not start a process for this connection: posix_spawn failed with EAGAIN — the process table (or RLIMIT_NPROC) is full; reap zombies to make room.',
  emfile: (held: number | null): string =>
    `accept failed with EMFILE: the master has no file descriptor left${held !== null ? ` (${held} open)` : ''}. ` +
    'One waiting client is answered 503 through the reserve descriptor; accepting pauses (release-fds frees the kept ones)',
  emfileSpawn:
    'no file descriptor left to start a worker (EMFILE): the client was answered 503; accepting pauses (release-fds frees the kept ones)',
  maxZombies: (count: number, max: number): string =>
    `${count} zombies reached --max-zombies ${max}: the master stops accepting until some are reaped (reap-now, or set-reap loop)`,
  belowMaxZombies: (count: number): string => `zombies down to ${count}: accepting again`,
  poolPaused: (count: number, max: number): string =>
    `${count} zombies reached --max-zombies ${max}: no replacement workers are started until some are reaped`,
  workerTimeout: (pid: number, s: number): string =>
    `worker ${pid} still running after --worker-timeout ${s} s: sending SIGTERM, then SIGKILL if it does not end`,
  /** A pool worker dying after an error still answers the connection its last accept brought. */
  workerExiting: 'This worker is exiting after an error; another worker will answer a new request.',
  notAChild: (pid: number): string => `refused: pid ${pid} is not a worker of this master`,
  zombieSignalled: (pid: number, signal: string): string =>
    `${signal} reached ${pid}, but ${pid} is a zombie: it has already exited, so no signal can remove it — only wait() can (reap-now)`,
  badSignal: (sig: number | string): string => `refused: unknown signal ${String(sig)}`,
  killFailed: (pid: number, err: unknown): string => `kill(${pid}) failed: ${msg(err)}`,
  badPolicy: (p: string): string => `refused: reaping policy must be none, wait or loop, not '${p}'`,
  noKeptFds: 'release-fds: the master keeps no connection fds (only with --parent-keeps-conn)',
  notForModel: (cmd: string, model: string): string => `${cmd} does nothing in the ${model} model`,
  crashLoop: (slot: number, ms: number): string =>
    `pool slot ${slot}: its worker keeps ending before it is ready; next start in ${ms} ms`,
  waitFailed: (err: unknown): string => `waiting for connections failed, no longer accepting: ${msg(err)}`,
  acceptFailed: (err: unknown): string => `accept failed: ${msg(err)}`,
  reasons: {
    maxZombies: 'max-zombies',
    emfile: 'EMFILE',
  },
} as const;
