// Every sentence `forkscope observe` shows a person: usage errors, notices, the human log's
// words for the events only observe emits. Kept together so a translation can follow.
import { connLabel } from '../conn-id';

const list = (pids: readonly number[], max = 10): string =>
  pids.length ? `${pids.slice(0, max).join(', ')}${pids.length > max ? ', …' : ''}` : 'none';

export const O = {
  prefix: 'forkscope observe',
  // ── usage and start-up (one line on stderr; exit 2 for usage, 1 otherwise) ──
  needsLinux:
    'forkscope observe reads /proc and the kernel socket table (inet_diag), which only Linux has; on macOS, use `lsof -i` and `ps` meanwhile',
  commandOrPid: 'give a command to start (forkscope observe -- python3 server.py) or --pid N of a server already running, not both',
  cannotRun: (command: string, code: string, cwd?: string): string =>
    code === 'ENOENT'
      ? `cannot run '${command}': no such command or file${cwd ? ` (in ${cwd})` : ''} — check the name, or give its full path`
      : code === 'EACCES'
        ? `cannot run '${command}': permission denied — it must be executable (chmod +x) and in a directory you may enter; or run a script through its interpreter (python3 server.py)`
        : `cannot run '${command}': ${code}`,
  noSuchPid: (pid: number): string => `there is no process ${pid} — check the number with ps`,
  pidIsZombie: (pid: number): string => `process ${pid} is a zombie: it has exited and serves nothing`,
  notYours: (pid: number, uid?: number): string =>
    `process ${pid} belongs to another user${uid !== undefined ? ` (uid ${uid})` : ''}: its descriptors cannot be read — run forkscope as that user`,
  exitedAtOnce: (code: number | null, signal: string | null, tail: string[]): string =>
    `the server exited before it listened (${signal ? `killed by ${signal}` : `exit status ${code ?? '?'}`})${tail.length ? `; its last words:\n${tail.map((l) => `  ${l}`).join('\n')}` : ''}`,
  neverListened: (s: number, port?: number): string =>
    port !== undefined
      ? `the server did not listen on port ${port} within ${s} s (--listen-timeout) — check the port, or give it more time`
      : `the server did not open a listening TCP socket within ${s} s (--listen-timeout) — is it a server? does it call listen()?`,
  listensElsewhere: (port: number, ports: number[]): string => `the server listens on port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}, not ${port} (--port)`,
  severalPorts: (ports: number[]): string => `the server listens on ports ${ports.join(', ')}: choose one with --port`,
  sharedPort: (port: number, uids: number[]): string =>
    `port ${port} is also served by another process (SO_REUSEPORT${uids.length ? `, uid ${uids.join(', ')}` : ''}): its queue and connections could not be told apart from the server's — stop the other one, or use another port`,
  stoppedEarly: (reason: string): string => `stopped (${reason}) before the server listened; nothing is left running`,
  unexpected: (err: unknown): string => `unexpected failure: ${err instanceof Error ? err.message : String(err)}`,

  // ── notices ────────────────────────────────────────────────────────────────
  traceUnavailable: (why: string): string =>
    `SIGCHLD deliveries and wait() calls cannot be seen here: ${why}. Zombies, exits and reaps still come from /proc (a zombie reaped within one pass, 100 ms, is not seen); no SIGCHLD count is shown rather than a guessed one`,
  traceWhy: {
    'not-root': 'tracing them needs root (tracefs)',
    'not-linux': 'tracefs is Linux only',
    'no-tracefs': 'tracefs is not mounted and could not be mounted',
    'no-events': "this kernel has no signal tracepoints",
    failed: (code: string): string => `tracefs refused (${code})`,
  },
  noWaitTrace: 'this kernel has no syscall tracepoints: SIGCHLD is traced, wait() calls are not (reaps come from /proc)',
  stopReasonSignal: (sig: string): string => sig,
  serverExited: (pid: number, code: number | null, signal: string | null): string =>
    `the server (pid ${pid}) ${signal ? `was killed by ${signal}` : code === null ? 'has exited' : `exited with status ${code}`}`,
  listenerGone: 'the listening socket is gone: the server closed it',

  // ── the human log ──────────────────────────────────────────────────────────
  log: {
    observing: (pid: number, url: string, backlog: number, listeners: number[], tracing: boolean): string =>
      `Observing pid ${pid}, listening on ${url} (backlog ${backlog}; held by ${list(listeners)}; SIGCHLD ${tracing ? 'traced' : 'not traced'}; Ctrl-C stops)`,
    output: (stream: string, line: string): string => `${stream === 'stderr' ? '[server stderr]' : '[server]'} ${line}`,
    connection: (conn: number, peer: string, state: string, holders: number[], waiting: boolean): string =>
      `#${connLabel(conn)} from ${peer}: ${state}${waiting ? ', waiting in the accept queue' : state === 'CLOSED' || state === 'TIME_WAIT' ? '' : `; held by ${list(holders)}`}`,
    fds: (proc: number, count: number, sockets: string[], others: number): string =>
      `pid ${proc}: ${count} fds${sockets.length ? `; ${sockets.join(', ')}` : ''}${others ? ` (+${others} other socket${others === 1 ? '' : 's'}, e.g. its stdout pipe to forkscope)` : ''}`,
    fdSocket: (fd: number, what: string): string => `fd ${fd} = ${what}`,
    listenSocket: 'the listening socket',
    connSocket: (conn: number): string => `connection #${connLabel(conn)}`,
    handler: (proc: number, action: string): string =>
      action === 'handler'
        ? `pid ${proc} has a SIGCHLD handler installed`
        : action === 'ignore'
          ? `pid ${proc} ignores SIGCHLD: the kernel reaps its children at once (no zombies, and wait() finds none)`
          : `pid ${proc} has no SIGCHLD handler`,
    sigchldSent: (child: number, result: string): string =>
      result === 'merged'
        ? `child ${child} exited; its SIGCHLD merged into one already pending (signals are not queued)`
        : result === 'ignored'
          ? `child ${child} exited; its SIGCHLD was discarded (no handler: by default SIGCHLD does nothing)`
          : `child ${child} exited; SIGCHLD now pending for the server`,
    sigchldDelivered: (n: number): string => `SIGCHLD delivered to the server (${n} so far)`,
    exit: (child: number): string => `child ${child} has exited`,
    reap: (child: number, code: number | undefined, signal: string | undefined, zombieMs: number | null, via: string): string =>
      `child ${child} reaped by the server's wait()${signal ? `, killed by ${signal}` : code !== undefined ? `, exit status ${code}` : ''}${zombieMs !== null ? `, zombie for ${zombieMs.toFixed(1)} ms` : ''} (seen ${via === 'wait4' ? 'by tracing wait4' : 'in /proc'})`,
    leftovers: (zombies: number[], orphans: number[], ended: number[]): string =>
      `left behind: ${zombies.length} zombie${zombies.length === 1 ? '' : 's'} (${list(zombies)}), ${orphans.length} orphan${orphans.length === 1 ? '' : 's'} (${list(orphans)})${ended.length ? `; ended ${ended.length} process${ended.length === 1 ? '' : 'es'} (${list(ended)})` : ''}`,
    serverExit: (message: string, stderr: string[]): string => `${message}${stderr.length ? `; its last words: ${stderr[stderr.length - 1]}` : ''}`,
  },
} as const;
