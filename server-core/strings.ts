// Every sentence `forkscope serve` shows a person: usage errors, notices, the human log's
// words. Kept together so a translation can follow.


const msg = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const S = {
  // ── usage and start-up (one line on stderr, exit 2) ────────────────────────
  prefix: 'forkscope serve',
  needsUnix:
    'forkscope needs a Unix kernel (Linux, or macOS where the same system calls exist): its servers use fork/exec, signals and wait(), which Windows does not have. Try it in WSL.',
  portInUse: (port: number): string => `port ${port} is in use — pick another with --port, or --port 0 for any free port`,
  portNeedsRoot: (port: number): string => `port ${port} is privileged (below 1024) — pick one above 1023 with --port, or --port 0 for any free port`,
  notLocalAddress: (host: string): string => `${host} is not an address of this machine — use --host 127.0.0.1 (or 0.0.0.0 for every interface)`,
  cannotResolve: (host: string): string => `cannot resolve host '${host}' — give an IP address such as --host 127.0.0.1`,
  cannotListen: (err: unknown): string => `cannot open the listening socket: ${msg(err)}`,
  appFailed: (err: unknown): string => msg(err),
  modelNotAvailable: (model: string): string =>
    `the ${model} model is not available yet in this build — use --model iterative`,
  nofileFailed: (n: number, err: unknown): string => `cannot set the file-descriptor limit to ${n} (--nofile): ${msg(err)}`,
  nofileTooLow: (n: number, model: string, held: number, minimum: number): string =>
    `--nofile ${n} is too low for the ${model} model: the master already holds ${held} descriptors (standard streams, the listening socket, Node's event loop)` +
    `${model === 'iterative' ? '' : ' and each worker inherits the limit'}, and serving needs more — use --nofile ${minimum} or more`,
  badNumber: (flag: string, value: string, range: string): string => `${flag} must be ${range}, not '${value}'`,
  badChoice: (flag: string, value: string, choices: readonly string[]): string =>
    `${flag} must be one of ${choices.join(', ')}, not '${value}'`,
  unexpected: (err: unknown): string => `unexpected failure: ${msg(err)}`,

  // ── notices (events) ─────────────────────────────────────────────────────
  optionIgnored: (flag: string, model: string, forModels: string): string =>
    `${flag} has no effect with --model ${model} (it is for ${forModels})`,
  notLoopback: (host: string): string =>
    `listening on ${host}, not only on this machine: other computers can reach this server (and the echo app shows them request headers)`,
  nofileSet: (soft: number): string => `file-descriptor limit (RLIMIT_NOFILE) set to ${soft}`,
  noWorkers: 'the iterative model has no worker processes: reap-now, set-reap, kill and release-fds do nothing here',
  oneConnectionAtATime:
    "each prefork worker serves one connection at a time (--worker-connections 1, as gunicorn's sync workers do), so with --keep-alive it closes the connection after each answer; --worker-connections N keeps N open",
  queueUnavailable: (err: unknown): string => `accept-queue length not available: ${msg(err)}`,
  acceptFailed: (err: unknown): string => `accept failed: ${msg(err)}`,
  wrapFailed: (err: unknown): string => `could not hand the accepted socket to Node: ${msg(err)}`,
  waitFailed: (err: unknown): string => `waiting for connections failed, no longer accepting: ${msg(err)}`,
  badCommand: (detail: string): string => `bad command on stdin: ${detail}`,
  stopTimedOut: (ms: number): string => `the model did not stop within ${ms} ms; exiting anyway`,

  // ── stop reasons ─────────────────────────────────────────────────────────
  reasonSignal: (sig: string): string => sig,
  reasonCommand: 'stop command',
  reasonOutputGone: 'stdout closed',
} as const;

/** The top-level `forkscope` command's own words (its subcommands have theirs). */
export const cliWords = {
  description: 'Watch a real web server work: accept queue, fork + exec per connection, SIGCHLD, reaping, zombies.',
  version: 'print the version and exit',
} as const;
