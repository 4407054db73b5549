// Every user-facing string of the renderer, in one place so a translation can follow.
// Hover explanations (`explain`) are one line each and name the seed's lesson they show
// ("Let's Build A Web Server": 1 minimal server, 2 gateway, 3 backlog, 4 process per
// connection, 5 file descriptors, 6 zombies, 7 SIGCHLD + EINTR, 8 signals are not queued).
import type { EventType, ForkscopeEvent, Interface, Model, ReapPolicy } from '../server-core/events';
import { connLabel } from '../server-core/conn-id';

export const app = {
  title: 'forkscope',
  tagline: 'a real web server, watched live',
  connecting: 'Connecting to forkscope…',
  disconnected: 'Connection to forkscope lost — retrying…',
  noToken: 'This address has no token: open the one `forkscope web` printed (it ends in ?token=…).',
  paused: 'Paused',
  pausedHint: 'The live view is frozen (events are still collected). Press space to resume.',
  pauseButton: 'Pause',
  resumeButton: 'Resume',
  keys: 'space: pause · r: fire again',
};

export const models: Record<Model, { label: string; explain: string }> = {
  iterative: {
    label: 'iterative (one at a time)',
    explain:
      'One process serves one connection completely, then accepts the next; everyone else waits in the accept queue. (Lesson 1 and 3: the seed’s first servers)',
  },
  fork: {
    label: 'fork + exec (posix_spawn)',
    explain:
      'A new process per connection, like the seed’s forking server. Node cannot fork() itself (its V8 heap is not fork-safe), so each worker is a fresh process started with posix_spawn — fork + exec, as inetd and CGI servers do. (Lesson 4)',
  },
  prefork: {
    label: 'prefork pool',
    explain:
      'N long-lived workers share the listening socket and accept by themselves (Apache prefork, gunicorn sync workers): no process start per request. (Lesson 4, the fix for its cost)',
  },
};

export const reapPolicies: Record<ReapPolicy, { label: string; explain: string }> = {
  none: {
    label: 'none — never wait()',
    explain: 'SIGCHLD is counted but nobody calls wait(): every finished worker stays a zombie. (Lesson 6)',
  },
  wait: {
    label: 'wait — one per SIGCHLD',
    explain:
      'The seed’s first handler: one wait() per SIGCHLD. Signals are not queued, so a burst of exits leaves zombies behind. (Lesson 8)',
  },
  loop: {
    label: 'loop — waitpid until none',
    explain: 'The seed’s fix: waitpid(-1, WNOHANG) in a loop until no child is left to collect. No zombie survives. (Lesson 8)',
  },
};

export const interfaces: Record<Interface, { label: string; explain: string }> = {
  wsgi: { label: 'WSGI-style app(environ, start_response)', explain: 'The seed’s gateway: the server builds environ and passes start_response. (Lesson 2)' },
  fetch: { label: 'Fetch (Request) → Response', explain: 'Web-standard handlers such as Hono run unchanged behind the same gateway. (Lesson 2)' },
  node: { label: 'Node (req, res)', explain: 'Node-style handlers such as Express run unchanged behind the same gateway. (Lesson 2)' },
};

export const builtinApps: { name: string; explain: string }[] = [
  { name: 'hello', explain: 'Answers “Hello world from a simple WSGI application!” — the seed’s app.' },
  { name: 'slow', explain: 'Sleeps ?ms=N (default 1000) before answering: makes the queue and the workers visible.' },
  { name: 'echo', explain: 'Returns the environ the gateway built, as JSON. (Lesson 2)' },
  { name: 'stream', explain: 'Sends ?bytes=N in chunks through start_response’s write().' },
  { name: 'crash', explain: 'Throws: the client gets a 500 and the worker exits non-zero.' },
];

export const controls = {
  heading: 'Server',
  model: 'Model',
  reap: 'Reaping',
  reapLive: 'Switches at once while running.',
  leftoverZombies: (n: number) =>
    `${n} zombie${n === 1 ? '' : 's'} from before: a policy acts when the next SIGCHLD arrives, and theirs already came. Press “Reap now” to collect them.`,
  backlog: 'Backlog',
  workers: 'Workers',
  maxRequests: 'Max requests per worker',
  app: 'App',
  customApp: 'module:callable…',
  customAppPlaceholder: 'path/to/app.mjs:default',
  interface: 'Interface',
  port: 'Port',
  parentKeepsConn: 'Parent keeps the connection',
  childKeepsListener: 'Child keeps the listener',
  nofile: 'fd limit (nofile)',
  nofilePlaceholder: 'unchanged',
  keepAlive: 'Keep-alive',
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  starting: 'Starting…',
  stopping: 'Stopping…',
  restartToApply: 'Restart to apply the changed settings.',
  fdSwitches: 'File-descriptor lessons',
  more: 'Safety limits and timeouts',
  maxZombies: 'Max zombies',
  workerTimeout: 'Worker timeout (s)',
  readTimeout: 'Read timeout (s)',
  defaultPlaceholder: 'default',
};

export const client = {
  heading: 'Client',
  mode: 'Kind',
  modes: {
    request: 'request (single or burst)',
    raw: 'raw bytes',
    slow: 'slow (one byte at a time)',
    hold: 'hold open',
  } as Record<'request' | 'raw' | 'slow' | 'hold', string>,
  method: 'Method',
  path: 'Path',
  headers: 'Headers (one per line, Name: value)',
  body: 'Body',
  clients: 'Clients',
  conns: 'Connections each',
  raw: 'Bytes (\\r\\n added at each line end)',
  slowMs: 'ms between bytes',
  sendNothing: 'Send nothing',
  holdS: 'Seconds to hold',
  timeout: 'Timeout (s)',
  fireSingle: 'Send request',
  fireBurst: (n: number, c: number) => `Fire ${n} × ${c} = ${n * c}`,
  fireRaw: 'Send raw bytes',
  fireSlow: 'Send slowly',
  fireHold: 'Open and hold',
  firing: 'Firing…',
  again: 'Again (r)',
  target: (url: string) => `to ${url}`,
  notRunning: 'The server is not running: the connection will be refused (try it — that is a lesson too).',
  resultTotal: (n: number, ms: number) => `${n} connection${n === 1 ? '' : 's'} in ${fmtMs(ms)}`,
  latency: 'latency',
  statuses: 'statuses',
  outcomes: 'outcomes',
  failed: 'The client could not run:',
};

export const counters = {
  zombies: 'Zombies (kernel)',
  masterAccount: 'master’s account',
  masterAccountValue: (exitedNotReaped: number) => `${exitedNotReaped} exited but not reaped`,
  liveWorkers: 'Live workers',
  queue: 'Accept queue',
  rps: 'Requests/s',
  sigchld: 'SIGCHLD received',
  exited: 'Children exited',
  sigchldVsExited: 'SIGCHLD received vs exits',
  reaped: 'Reaped',
  forked: 'Processes started',
  accepted: 'Accepted',
  errors: 'Errors',
  lostSignals: (lost: number, exited: number) =>
    lost > 0
      ? `${lost} exit${lost === 1 ? '' : 's'} without a SIGCHLD of ${lost === 1 ? 'its' : 'their'} own — signals merged (not queued)`
      : exited > 0
        ? 'one SIGCHLD per exit so far'
        : 'no child has exited yet',
};

export const charts = {
  heading: 'Over time',
  zombies: 'zombies (kernel)',
  workers: 'live workers',
  queue: 'queue length (max in each second)',
  rps: 'requests/s (right axis)',
  /** Hover label of the point covering [s, s + 1). */
  second: (s: number, current: boolean) => `${s}–${s + 1} s${current ? ' (this second, so far)' : ''}`,
  axisRps: 'req/s',
  signalsHeading: 'SIGCHLD vs exits',
  sigchld: 'SIGCHLD received',
  exited: 'children exited',
  seconds: 's',
};

export const tree = {
  heading: 'Processes',
  subheading: 'as /proc shows them',
  empty: 'No processes yet.',
  supervisor: 'supervisor',
  pid: 'pid',
  fds: 'fds',
  age: 'age',
  more: (n: number) => `+${n} more`,
  roles: { supervisor: 'supervisor', master: 'master', worker: 'worker', orphan: 'orphan' } as Record<string, string>,
  masterSays: (n: number) => `master sees ${n} zombie${n === 1 ? '' : 's'}`,
};

export const states: Record<string, { label: string; explain: string }> = {
  running: { label: 'running', explain: 'R: running or ready to run on a CPU.' },
  sleeping: { label: 'sleeping', explain: 'S: asleep, waiting for something — a socket, a timer, a child.' },
  zombie: {
    label: 'ZOMBIE',
    explain:
      'Z: it has exited but its parent has not wait()ed for it; only its pid and exit status remain. kill -9 cannot remove it. (Lesson 6)',
  },
  stopped: { label: 'stopped', explain: 'T: stopped by a signal (SIGSTOP); SIGCONT resumes it.' },
  dead: { label: 'dead', explain: 'X: being removed by the kernel.' },
  reaped: { label: 'reaped', explain: 'wait() collected its exit status and the kernel freed the process entry. (Lesson 7)' },
  unknown: { label: 'unknown', explain: 'A state letter forkscope does not name.' },
};

/** Short line on a reaped worker's chip. */
export function reapedShort(code: number | undefined, signal: string | undefined, zombieMs: number | null): string {
  return `${signal ? signal : `exit ${code ?? '?'}`}${zombieMs != null ? ` · Z ${fmtShortMs(zombieMs)}` : ''}`;
}

/** The same, in words (the chip's hover). */
export function reapedLong(code: number | undefined, signal: string | undefined, zombieMs: number | null): string {
  return `${signal ? `killed by ${signal}` : `exited with code ${code ?? '?'}`}${zombieMs != null ? `; a zombie for ${fmtMs(zombieMs)} until wait() reaped it` : ''}`;
}

export const details = {
  heading: (pid: number) => `Process ${pid}`,
  close: 'Close',
  role: 'Role',
  state: 'State',
  ppid: 'Parent',
  started: 'Started',
  cmd: 'Command line',
  fds: 'Open fds',
  rss: 'Memory (RSS)',
  signal: 'Send signal…',
  send: 'Send',
  reapNow: 'Reap now',
  events: 'This process’s events',
  noEvents: 'No events from this process in the stored timeline.',
  reapInfo: (code: number | undefined, signal: string | undefined, zombieMs: number | null) =>
    `reaped: ${signal ? `killed by ${signal}` : `exit code ${code ?? '?'}`}${zombieMs != null ? `, after ${fmtMs(zombieMs)} as a zombie` : ''}`,
  gone: 'This process is gone.',
};

export const queue = {
  heading: 'Accept queue',
  slots: (backlog: number) => `backlog ${backlog}: ${backlog + 1} slots`,
  waiting: 'waiting for accept()',
  unknownPeer: 'a connection',
  connecting: 'Stuck connecting (queue full: SYN dropped, retrying)',
  halfOpen: (n: number) =>
    `${n} more connected on the client’s side only: the queue was full when their last handshake packet came, so the server’s kernel keeps them half-open until there is room`,
  connectingFresh: 'connecting…',
  freshCount: (n: number) => `${n} connecting…`,
  port: (p: number) => `:${p}`,
  synRetry: (ms: number) => `${fmtMs(ms)} — SYN retried`,
  empty: 'Empty: every finished handshake has been accepted.',
  notListening: 'Not listening: start the server to see its queue.',
};

export const transcripts = {
  heading: 'Transcripts',
  empty: 'No connections yet. Fire a request from the client panel, or curl the server.',
  count: (n: number) => `${n} connection${n === 1 ? '' : 's'}`,
  connected: (host: string, port: number, local: number | undefined, ms: number | undefined) =>
    `Connected to ${host} port ${port}${local ? ` from local port ${local}` : ''}${ms != null ? ` (handshake ${fmtMs(ms)})` : ''}`,
  connecting: (host: string, port: number) => `Connecting to ${host} port ${port}… (SYN sent, no answer yet)`,
  synRetries: (n: number) => `${n} SYN${n === 1 ? '' : 's'} retried: the accept queue was full`,
  queued: (ms: number) => `Waited ${fmtMs(ms)} in the accept queue`,
  accepted: (conn: number, pid: number) => `Accepted as connection #${connLabel(conn)} by pid ${pid}`,
  forked: (pid: number, ms: number) => `Worker pid ${pid} started: posix_spawn (fork + exec) returned after ${fmtMs(ms)}`,
  ready: (ms: number) => `Worker ready ${fmtMs(ms)} after its spawn (process start + app load: the price of a process per connection)`,
  firstByte: (ms: number) => `First byte after ${fmtMs(ms)}`,
  done: (status: number, bytes: number, ms: number) => `Done: ${status}, ${bytes} body bytes in ${fmtMs(ms)}`,
  eof: (ms: number) => `Server closed the connection (EOF) at ${fmtMs(ms)}`,
  noEof: 'No EOF yet: someone still holds a copy of the connection. (Lesson 5)',
  closed: 'Server closed its end',
  truncated: '[truncated: later bytes were not recorded]',
  binary: (n: number) => `[${n} bytes of binary data]`,
  pending: 'in progress',
  selectHint: 'Select a connection to highlight its worker and its events.',
  worker: (pid: number) => `worker ${pid}`,
  client: 'client',
  selected: 'selected',
  newest: 'newest',
  onlyThis: (conn: number) => `timeline: only #${connLabel(conn)}`,
  master: (pid: number) => `master ${pid}`,
  thisRun: (master: number) => `run of master ${master}`,
  thisRunHint: 'Connections of the current run only: each new master numbers its connections from #1 again.',
  onlyThisHint: 'Show only this connection’s events in the timeline.',
  external: 'another client',
};

export const timeline = {
  heading: 'Timeline',
  filterTypes: 'Types',
  allTypes: 'all',
  noneTypes: 'none',
  pid: 'pid',
  conn: 'conn',
  pidPlaceholder: 'any pid',
  connPlaceholder: 'any conn',
  jump: 'Jump to latest',
  following: 'following',
  count: (shown: number, total: number) => `${shown} of ${total} events`,
  empty: 'No events yet.',
  clear: 'clear filters',
  dropped: '⋯ older events dropped: the view keeps the newest 20,000',
};

export const banners = {
  emptyTitle: 'Nothing is running yet',
  emptyBody:
    'Pick a model and a reap policy, press Start, then fire requests from the client panel. Every process, socket, signal and zombie you will see is real — checked against /proc.',
  emptySteps: [
    'fork + exec with reaping “none”, then a burst of 10: ten zombies appear. Switch reaping to “loop”: they are gone.',
    'iterative with the slow app and backlog 2, then a burst of 6: watch the accept queue fill and the extra clients retry.',
    'Click any process for its details; send it a signal. kill -9 cannot remove a zombie.',
  ],
  divergence: (what: string, master: number, kernel: number) =>
    `The master and the kernel disagree about ${what}: master says ${master}, /proc says ${kernel}. forkscope shows the kernel’s number.`,
  masterExit: (code: number | null, signal: string | null) =>
    `The server process exited${signal ? ` (killed by ${signal})` : code != null ? ` with code ${code}` : ''}.`,
  lastError: 'The server could not start',
  dismiss: 'Dismiss',
  stderr: 'Its last words (stderr):',
  accepting: (reason: string) => `The master stopped accepting: ${reason}`,
};

/** What to do about an error message the supervisor or the master reported. */
export function adviceFor(message: string): string {
  const m = message.toLowerCase();
  if (m.includes('eaddrinuse') || m.includes('address already in use') || (m.includes('port') && m.includes('in use')))
    return 'Another program is using that port. Stop it, pick another port, or use 0 for any free port.';
  if (m.includes('eacces') && m.includes('port')) return 'Ports below 1024 need privileges: pick a port above 1024, or 0.';
  if (m.includes('[error]') || m.includes('build failed')) return 'forkscope’s own server code did not build: see its last words below.';
  if (m.includes('cannot find module') || m.includes('err_module_not_found') || m.includes('no such file'))
    return 'The app could not be found. Use a built-in name (hello, slow, echo, stream, crash) or path/to/module.mjs:callable, relative to where forkscope runs.';
  if (m.includes('is not a function') || m.includes('does not provide an export') || m.includes('callable'))
    return 'The module loaded but the callable was not found: check the part after the colon (default, app, default.fetch…) and the interface.';
  if (m.includes('syntaxerror')) return 'The app has a syntax error: fix it and press Start again.';
  if (m.includes('emfile')) return 'The master ran out of file descriptors: release them (switch “parent keeps the connection” off and restart) or raise the fd limit.';
  if (m.includes('eagain')) return 'The system refused another process: reap the zombies (Reap now, or policy loop).';
  return 'Check the settings and press Start again; the timeline has the details.';
}

export const signals = ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGSTOP', 'SIGCONT', 'SIGUSR1'] as const;

/** One-line explanations for every concept on screen. */
export const explain = {
  zombieCount:
    'Processes under the master in state Z, counted from /proc — the kernel’s number, not the master’s. A zombie has exited but nobody wait()ed for it. (Lesson 6)',
  masterAccount:
    'What the master itself believes: children it saw exit minus children it reaped. Shown beside the kernel’s count; a disagreement is flagged.',
  liveWorkers: 'Worker processes alive and not zombies, from /proc. (Lesson 4: a process per connection)',
  queueLength:
    'Connections that finished the TCP handshake and wait for accept(), read from the kernel (TCP_INFO on the listening socket). (Lesson 3)',
  backlog: 'listen(backlog): how many finished handshakes the kernel keeps waiting for accept(); Linux holds backlog + 1. (Lesson 3)',
  synRetry:
    'With the accept queue full the kernel silently drops new SYNs; the client retries after 1 s, 3 s, 7 s… so its connect just hangs. (Lesson 3)',
  halfOpen:
    'The client finished its handshake, but the server’s kernel dropped the final ACK because the accept queue was full: the connection waits half-open and enters the queue when there is room. (Lesson 3)',
  rps: 'Responses sent in the last complete second.',
  overTime:
    'One step per second of the run clock (the timeline’s): zombies and live workers as /proc last showed them in that second; the longest accept queue TCP_INFO reported in that second; responses sent in that second (right axis). Nothing is smoothed.',
  sigchldVsExited:
    'The kernel sends SIGCHLD when a child exits, but pending signals of one kind merge into one: a burst of exits raises fewer SIGCHLDs than children, so one wait() per signal leaves zombies. (Lesson 8)',
  sigchld: 'How many times the master’s SIGCHLD handler ran. (Lesson 7)',
  exited: 'Children the master learned have terminated — reaped or not. (Lesson 6)',
  reaped: 'Children whose exit status wait() collected, freeing their process entry. (Lesson 7)',
  forked: 'Worker processes started with posix_spawn (fork + exec). (Lesson 4)',
  accepted: 'Connections taken off the accept queue by accept(). (Lesson 1)',
  errors: 'Errors reported by the server: bad requests, EMFILE, app crashes…',
  eintr: 'A signal arrived while poll() was blocked: the call failed with EINTR and was re-issued, as the seed restarts accept(). (Lesson 7)',
  parentKeepsConn:
    'The master keeps its copy of each connection: the kernel’s reference count never reaches zero, so the client gets no EOF and the master’s fds run out (EMFILE). (Lesson 5)',
  childKeepsListener:
    'Every worker keeps the listening socket open: the port stays bound while any worker lives, even after the master has gone. (Lesson 5)',
  nofile: 'RLIMIT_NOFILE for the master: how many fds it may have open. A low value makes EMFILE appear quickly. (Lesson 5)',
  maxZombies:
    'At this many zombies the master stops accepting and says why, so a demo never fills the process table (default 500). Too many zombies and fork fails with EAGAIN. (Lesson 6)',
  workerTimeout: 'A worker still running after this long gets SIGTERM, then SIGKILL (default 30 s).',
  readTimeout: 'A client that connects and sends nothing is cut off after this long (default 10 s): until then an iterative server is stuck with it. (Lesson 3)',
  keepAlive: 'Serve several requests on one connection. Off by default, as in the seed: one request, then close.',
  workers: 'How many long-lived workers the prefork pool keeps. (Lesson 4)',
  maxRequests: 'A prefork worker that has served this many requests exits and the master starts a replacement.',
  app: 'The application behind the gateway: a built-in one, or your module:callable — the same server runs apps from different frameworks unchanged. (Lesson 2)',
  interface: 'How the gateway calls your app: WSGI-style (environ, start_response), Fetch (Request → Response) or Node (req, res). (Lesson 2)',
  port: 'The port to listen on (the seed uses 8888). 0 picks any free port.',
  fds: 'Open file descriptors of this process (/proc/PID/fd): sockets, pipes, files. (Lesson 5)',
  age: 'Time since the process started.',
  pid: 'Process id, as the kernel assigned it.',
  sendSignal: 'Really sends the signal with kill(2). Try SIGKILL on a zombie: it stays, because it is already dead. (Lesson 6)',
  reapNow: 'Asks the master to run one waitpid(-1, WNOHANG) loop now, whatever the policy. (Lesson 8)',
  divergence: 'The master’s own account and /proc have disagreed for more than a second.',
  transcript: 'The bytes as they crossed the socket, curl -v style: > sent by the client, < received, * what happened. (Lesson 1)',
  timeline: 'Every event of the run — server, client and kernel — on one clock.',
  tree: 'The supervisor, the server’s master process and its workers, sampled from /proc ten times a second.',
  queue: 'The kernel’s accept queue: finished handshakes wait here until the server calls accept(). (Lesson 3)',
  burst: 'N clients at once, each making M connections one after another — the seed’s client3.',
  raw: 'Send bytes exactly as typed, for malformed requests; the server’s answer shows in the transcript.',
  slow: 'Connect, then dribble the request one byte at a time, or send nothing: an iterative server is stuck with it until its read timeout.',
  hold: 'Open connections and keep them open without sending: they occupy the accept queue or a worker.',
  pause: 'Freeze the live view (space). Events keep being collected.',
  again: 'Fire the last request again (r or Ctrl+Enter).',
  supervisor: 'The process running forkscope itself: it starts the master and watches /proc (a child subreaper, so orphans stay visible).',
  master: 'The server’s master process: listens, accepts, starts workers, handles SIGCHLD.',
  worker: 'A worker process: serves one connection (fork + exec) or many (prefork).',
  orphan: 'A worker whose master died: reparented to the supervisor, which reaps it.',
};

/** Explanations per event type, shown on hover in the timeline and its filter. */
export const eventExplain: Record<EventType, string> = {
  listening: 'socket, bind, listen: the server is ready. (Lesson 1)',
  accept: 'accept() took a connection off the kernel queue. (Lesson 1)',
  request: 'The request line and headers, parsed. (Lesson 1)',
  response: 'Status, headers and body sent back. (Lesson 2)',
  close: 'The server closed its end of the connection. (Lesson 1)',
  queue: 'The accept-queue length changed (TCP_INFO). (Lesson 3)',
  eintr: explain.eintr,
  call: 'A system call the server made (--calls), as strace prints it.',
  error: 'Something went wrong, and what the client was told.',
  transcript: 'Raw bytes received or sent on a connection.',
  notice: 'A note from the server.',
  accepting: 'The master stopped or resumed accepting, and why.',
  stopping: 'The server is shutting down.',
  stopped: 'The server has stopped.',
  fork: 'A worker process was started with posix_spawn (fork + exec). (Lesson 4)',
  'worker-ready': 'A new worker loaded the app and is ready. (Lesson 4)',
  sigchld: 'The master received SIGCHLD: a child changed state. n counts deliveries; they merge. (Lesson 7, 8)',
  exit: 'A child terminated; until it is reaped it is a zombie. (Lesson 6)',
  reap: 'wait() collected a child’s exit status: no longer a zombie. (Lesson 7)',
  zombies: 'The master read its zombie count from /proc. (Lesson 6)',
  'signal-sent': 'A signal was sent to a child with kill(2).',
  'fds-released': 'The master closed the connection copies it kept. (Lesson 5)',
  'reap-policy': 'The reap policy changed. (Lesson 8)',
  'client-connect': 'The client sent its SYN. (Lesson 3)',
  'client-connected': 'Handshake done: the connection waits in the server’s accept queue. (Lesson 3)',
  'client-sent': 'The client sent its request bytes.',
  'client-first-byte': 'The first response byte arrived.',
  'client-done': 'The response is complete.',
  'client-eof': 'The server closed the connection: EOF. (Lesson 5)',
  'client-error': 'The client failed, and why in plain words.',
  'client-received': 'Response bytes received by the client.',
  proc: 'A /proc sample of the process tree: the kernel’s word.',
  divergence: explain.divergence,
  'master-exit': 'The master process exited.',
  reparented: 'A worker lost its master and was reparented to the supervisor.',
  'master-start': 'The supervisor started the master process.',
};

export const eventTypes = Object.keys(eventExplain) as EventType[];

// ── formatting ────────────────────────────────────────────────────────────────
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Two or three significant digits, for tight spots (a process chip). */
export function fmtShortMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function fmtAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.floor((ms % 3_600_000) / 60_000)} m`;
}

export function fmtT(t: number): string {
  return `${(t / 1000).toFixed(3)} s`;
}

export function fmtKb(kb: number): string {
  return kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb} kB`;
}

export const statusText: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

// ── one line per event, for the timeline ─────────────────────────────────────
export function describe(e: ForkscopeEvent): string {
  switch (e.type) {
    case 'listening':
      return `listening on ${e.host}:${e.port}, backlog ${e.backlog}, ${models[e.model]?.label ?? e.model}, reap ${e.reap}, app ${e.app}`;
    case 'accept':
      return `accepted conn #${connLabel(e.conn)} from ${e.peer.address}:${e.peer.port}${e.fd != null ? ` as fd ${e.fd}` : ''}`;
    case 'request':
      return `#${connLabel(e.conn)} ${e.method} ${e.path} ${httpVersion(e.version)}`;
    case 'response':
      return `#${connLabel(e.conn)} ${e.status} ${statusText[e.status] ?? ''} · ${e.bytes} bytes`;
    case 'close':
      return `#${connLabel(e.conn)} closed`;
    case 'queue':
      return `queue ${e.length} / ${e.backlog + 1}`;
    case 'eintr':
      return `${e.call}() interrupted (EINTR), re-issued`;
    case 'call':
      return `${e.call}(${e.args}) = ${e.ret}${e.errno ? ` ${e.errno}` : ''}`;
    case 'error':
      return `${e.code ? `${e.code}: ` : ''}${e.message}${e.conn != null ? ` (conn #${connLabel(e.conn)})` : ''}${e.status ? ` → ${e.status}` : ''}`;
    case 'transcript':
      return `#${connLabel(e.conn)} ${e.dir === 'in' ? 'received' : 'sent'} ${e.encoding === 'base64' ? `${Math.floor((e.data.length * 3) / 4)} bytes` : `${e.data.length} chars`}${e.truncated ? ' (truncated)' : ''}`;
    case 'notice':
      return e.message;
    case 'accepting':
      return e.on ? 'accepting again' : `stopped accepting${e.reason ? `: ${e.reason}` : ''}`;
    case 'stopping':
      return `stopping: ${e.reason}`;
    case 'stopped':
      return `stopped (exit ${e.code})`;
    case 'fork':
      return `started worker ${e.child}${e.conn != null ? ` for conn #${connLabel(e.conn)}` : e.slot != null ? ` in slot ${e.slot}` : ''} (posix_spawn ${fmtMs(e.spawnMs)})`;
    case 'worker-ready':
      return `worker ready after ${fmtMs(e.startMs)}`;
    case 'sigchld':
      return `SIGCHLD #${e.n}`;
    case 'exit':
      return `child ${e.child} exited (seen via ${e.via})`;
    case 'reap':
      return `reaped ${e.child}: ${e.signal ? `killed by ${e.signal}` : `code ${e.code ?? '?'}`}${e.zombieMs != null ? `, zombie for ${fmtMs(e.zombieMs)}` : ''} (by ${e.by})`;
    case 'zombies':
      return `master sees ${e.count} zombie${e.count === 1 ? '' : 's'}`;
    case 'signal-sent':
      return `sent ${e.signal} to ${e.child} (${e.reason})`;
    case 'fds-released':
      return `released ${e.count} kept connection fd${e.count === 1 ? '' : 's'}`;
    case 'reap-policy':
      return `reap policy → ${e.policy}`;
    case 'client-connect':
      return `client ${e.id} connecting to ${e.host}:${e.port}`;
    case 'client-connected':
      return `client ${e.id} connected from :${e.localPort} in ${fmtMs(e.ms)}${e.synRetries ? ` (${e.synRetries} SYN retries)` : ''}`;
    case 'client-sent':
      return `client ${e.id} sent ${e.bytes} bytes`;
    case 'client-first-byte':
      return `client ${e.id} first byte after ${fmtMs(e.ms)}`;
    case 'client-done':
      return `client ${e.id} done: ${e.status}, ${e.bytes} bytes, ${fmtMs(e.ms)}`;
    case 'client-eof':
      return `client ${e.id} EOF after ${fmtMs(e.ms)}`;
    case 'client-error':
      return `client ${e.id} ${e.code}: ${e.explanation}`;
    case 'client-received':
      return `client ${e.id} received ${e.data.length} ${e.encoding === 'base64' ? 'base64 chars' : 'chars'}${e.truncated ? ' (truncated)' : ''}`;
    case 'proc':
      return `/proc: ${e.procs.length} process${e.procs.length === 1 ? '' : 'es'}, ${e.zombies} zombie${e.zombies === 1 ? '' : 's'}`;
    case 'divergence':
      return `divergence on ${e.what}: master ${e.master}, kernel ${e.kernel}`;
    case 'master-exit':
      return `master exited${e.signal ? ` by ${e.signal}` : ` with code ${e.code}`}`;
    case 'reparented':
      return `worker ${e.child} reparented to the supervisor`;
    case 'master-start':
      return `started master ${e.child} — a new run: connections are numbered from #1 again`;
    default: {
      const never: never = e;
      return String((never as { type: string }).type);
    }
  }
}

/** "1.1" or "HTTP/1.1" → "HTTP/1.1". */
export function httpVersion(v: string): string {
  return /^\d/.test(v) ? `HTTP/${v}` : v;
}
