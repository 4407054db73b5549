// The one event contract shared by server-core, src-main and src-renderer.
// Every event is one JSON object: `type`, `t` (ms on the run's monotonic clock),
// `pid` (the process that emitted it). Documented in docs/events.md; extend here only.

export type Model = 'iterative' | 'fork' | 'prefork';
export type ReapPolicy = 'none' | 'wait' | 'loop';
export type Interface = 'wsgi' | 'fetch' | 'node';
export type Source = 'server' | 'client' | 'kernel' | 'supervisor';
/**
 * How an event is known. 'narrated': the process it is about said so itself (forkscope's own
 * server and client narrate every step). 'observed': forkscope saw it from outside, in the
 * kernel (/proc, inet_diag, tracefs), about a server that says nothing (`forkscope observe`).
 */
export type Basis = 'narrated' | 'observed';

export interface Peer {
  address: string;
  port: number;
}

/** Header list as sent on the wire: order and case kept. */
export type HeaderList = [string, string][];

interface Base<T extends string> {
  type: T;
  /** ms since the run's origin, from CLOCK_MONOTONIC (shared by every process of the run). */
  t: number;
  /** The process that emitted the event. */
  pid: number;
  /** Added by the supervisor when it merges streams. */
  source?: Source;
  /** Set on every event of `forkscope observe`; absent means narrated. */
  basis?: Basis;
}

// ── server: the minimal server, the gateway, the backlog ───────────────────────
export interface ListeningEvent extends Base<'listening'> {
  host: string;
  port: number;
  backlog: number;
  model: Model;
  reap: ReapPolicy;
  app: string;
  /** CLOCK_MONOTONIC of t = 0, in ns as a decimal string, so other processes can share the clock. */
  origin: string;
}
export interface AcceptEvent extends Base<'accept'> {
  conn: number;
  peer: Peer;
  /** fd number the connection got in the accepting process. */
  fd?: number;
}
export interface RequestEvent extends Base<'request'> {
  conn: number;
  method: string;
  path: string;
  version: string;
  headers: HeaderList;
  /**
   * Which HTTP layer read it: 'direct' — forkscope's own loop on the descriptor, the
   * tutorial's recv → parse → app → sendall (http/connection.ts: WSGI and fetch apps);
   * 'http' — Node's http server (http/node-http.ts: Node-style apps).
   */
  via?: 'direct' | 'http';
}
export interface ResponseEvent extends Base<'response'> {
  conn: number;
  status: number;
  headers: HeaderList;
  /** Body bytes sent. */
  bytes: number;
}
export interface CloseEvent extends Base<'close'> {
  conn: number;
}
export interface QueueEvent extends Base<'queue'> {
  /** Connections waiting in the kernel's accept queue (TCP_INFO tcpi_unacked on the listener). */
  length: number;
  /** The backlog the kernel uses (tcpi_sacked); Linux queues backlog + 1. */
  backlog: number;
}
export interface EintrEvent extends Base<'eintr'> {
  /** The system call that was interrupted, e.g. 'ppoll' (the master's wait for connections). */
  call: string;
  /** true: the call was issued again (the tutorial's fix for "Interrupted system call"). */
  restarted?: boolean;
}
export interface CallEvent extends Base<'call'> {
  /** --calls: one system call the server made, as strace prints it: `call(args) = ret [errno]`. */
  call: string;
  /** Its arguments, strace-style ('5, 65536, MSG_DONTWAIT'). */
  args: string;
  /** What it returned (-1 on failure). */
  ret: number;
  /** The errno name when it failed ('EAGAIN', 'EINTR'). */
  errno?: string;
}
export interface ErrorEvent extends Base<'error'> {
  conn?: number;
  child?: number;
  /** errno name or our own code, e.g. 'EMFILE', 'HPE_INVALID_METHOD', 'GATEWAY'. */
  code?: string;
  /** HTTP status the client was answered with, when one was sent. */
  status?: number;
  message: string;
}
export interface TranscriptEvent extends Base<'transcript'> {
  conn: number;
  dir: 'in' | 'out';
  /** The bytes: text when they are valid UTF-8, else base64 (see `encoding`). */
  data: string;
  encoding: 'utf8' | 'base64';
  /** True when the per-direction cap was reached and later bytes were not recorded. */
  truncated: boolean;
}
export interface NoticeEvent extends Base<'notice'> {
  /** A plain-English line for the human log (e.g. why accepting paused). */
  message: string;
  code?: string;
}
export interface AcceptingEvent extends Base<'accepting'> {
  /** false while the master has stopped accepting (max zombies, EMFILE back-off). */
  on: boolean;
  reason?: string;
}
export interface StoppingEvent extends Base<'stopping'> {
  reason: string;
}
export interface StoppedEvent extends Base<'stopped'> {
  code: number;
}

// ── server: processes, descriptors, signals, zombies ───────────────────────────
export interface ForkEvent extends Base<'fork'> {
  /** The connection handed to the worker (fork model); absent for a prefork pool worker. */
  conn?: number;
  child: number;
  /** Time posix_spawn took in the master, ms. */
  spawnMs: number;
  role: 'connection' | 'pool';
  /** Prefork: the pool slot this worker fills (0-based) and the worker's serial number. */
  slot?: number;
  serial?: number;
}
export interface WorkerReadyEvent extends Base<'worker-ready'> {
  /** ms from spawn to the worker's first event: process start + module load. */
  startMs: number;
  serial?: number;
}
export interface SigchldEvent extends Base<'sigchld'> {
  /** SIGCHLD deliveries seen by the master so far (signals are not queued: may be < exits). */
  n: number;
}
export interface ExitEvent extends Base<'exit'> {
  /** A child the master learned has terminated, reaped or not. */
  child: number;
  via: 'sigchld' | 'proc' | 'waitpid';
}
export interface ReapEvent extends Base<'reap'> {
  child: number;
  code?: number;
  signal?: string;
  /** How long it was a zombie before wait() collected it, ms (null when its exit was not seen). */
  zombieMs: number | null;
  /**
   * Who reaped it: the master's policy, a reap-now command, or the supervisor (orphans);
   * 'parent' — an observed server's own wait() (`forkscope observe`).
   */
  by: 'wait' | 'loop' | 'reap-now' | 'shutdown' | 'supervisor' | 'parent';
  /** Observed reaps: how it was seen — the wait4() call traced, or the zombie gone from /proc. */
  via?: 'wait4' | 'proc';
}
export interface ZombiesEvent extends Base<'zombies'> {
  count: number;
  pids: number[];
}
export interface SignalSentEvent extends Base<'signal-sent'> {
  child: number;
  signal: string;
  reason: 'command' | 'worker-timeout' | 'shutdown';
}
export interface FdsReleasedEvent extends Base<'fds-released'> {
  count: number;
}
export interface ReapPolicyEvent extends Base<'reap-policy'> {
  policy: ReapPolicy;
}

// ── observe: a server forkscope did not write, watched from outside (server-core/observe) ──
export interface ObservingEvent extends Base<'observing'> {
  /** The command forkscope started (absent when it watches a running pid). */
  command?: string[];
  cwd?: string;
  /** The listening socket found: its address, port and the backlog the kernel enforces. */
  host: string;
  port: number;
  backlog: number;
  /** The processes holding the listening socket. */
  listeners: number[];
  /** Whether SIGCHLD and wait() are traced one by one (tracefs, root only). */
  tracing: boolean;
  /** CLOCK_MONOTONIC of t = 0, in ns (as `listening.origin`). */
  origin: string;
}
export interface OutputEvent extends Base<'output'> {
  /** One line the observed server wrote (any process of it: children share its stdout). */
  stream: 'stdout' | 'stderr';
  line: string;
}
export interface ConnectionEvent extends Base<'connection'> {
  /** 1, 2, 3… in the order forkscope first saw each connection. */
  conn: number;
  /** The server's end (its port) and the client's end. */
  local: Peer;
  peer: Peer;
  /** TCP state as `ss` names it (ESTABLISHED, CLOSE_WAIT, FIN_WAIT2, TIME_WAIT…); CLOSED once the kernel no longer has it. */
  state: string;
  /** The pids holding the socket open, ascending; [] while it waits in the accept queue. */
  holders: number[];
  /** Completed by the kernel but not accepted yet: it is in the accept queue. */
  waiting: boolean;
}
export interface FdSocket {
  fd: number;
  inode: number;
  /** The server's connection this fd is (see `connection`), or true for the listening socket. */
  conn?: number;
  listen?: boolean;
}
export interface FdsEvent extends Base<'fds'> {
  /** Whose descriptors. */
  proc: number;
  /** Open fds. */
  count: number;
  /** The sockets among them. */
  sockets: FdSocket[];
}
export interface SigchldHandlerEvent extends Base<'sigchld-handler'> {
  proc: number;
  /** What SIGCHLD does in it: nothing (default), runs a handler, or is ignored (children then vanish without zombies). */
  action: 'default' | 'handler' | 'ignore';
}
export interface SigchldSentEvent extends Base<'sigchld-sent'> {
  /** The exiting child that sent it (tracefs signal_generate). */
  child: number;
  /** queued: now pending for the server; merged: one was pending already, so this one is lost; ignored: the server ignores SIGCHLD. */
  result: 'queued' | 'ignored' | 'merged';
}
export interface LeftoversEvent extends Base<'leftovers'> {
  /** What the observed server left when forkscope stopped watching: its unreaped children, */
  zombies: number[];
  /** processes of its group whose parent had already exited, */
  orphans: number[];
  /** and processes still running that forkscope then ended (command mode only). */
  ended: number[];
}

// ── client (server-core/client) ──────────────────────────────────────────────
interface ClientBase<T extends string> extends Base<T> {
  /** Client connection id, unique within one client run. */
  id: number;
}
export interface ClientConnectEvent extends ClientBase<'client-connect'> {
  host: string;
  port: number;
  localPort?: number;
}
export interface ClientConnectedEvent extends ClientBase<'client-connected'> {
  localPort: number;
  /** Time the handshake took; > ~1000 ms means SYNs were dropped and retried. */
  ms: number;
  /** SYNs the client's kernel sent again (TCP_INFO on the connecting socket; Linux only). */
  synRetries?: number;
  /** Plain words when synRetries > 0: why the connect was slow. */
  explanation?: string;
}
export interface ClientSentEvent extends ClientBase<'client-sent'> {
  bytes: number;
  data?: string;
  encoding?: 'utf8' | 'base64';
}
export interface ClientFirstByteEvent extends ClientBase<'client-first-byte'> {
  ms: number;
}
export interface ClientDoneEvent extends ClientBase<'client-done'> {
  status: number;
  bytes: number;
  ms: number;
}
export interface ClientEofEvent extends ClientBase<'client-eof'> {
  ms: number;
}
export interface ClientErrorEvent extends ClientBase<'client-error'> {
  code: string;
  explanation: string;
}
export interface ClientReceivedEvent extends ClientBase<'client-received'> {
  data: string;
  encoding: 'utf8' | 'base64';
  truncated: boolean;
}

// ── kernel observer and supervisor (src-main) ────────────────────────────────
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** State letter from /proc/PID/stat: R, S, D, Z, T, … */
  state: string;
  /** Start time, ms on the run's clock. */
  start: number;
  cmd: string;
  fds: number | null;
  rssKb: number;
  role: 'supervisor' | 'master' | 'worker' | 'orphan';
}
export interface ProcEvent extends Base<'proc'> {
  /** With `full` absent or true: the whole tree. With `full: false`: only the procs that changed. */
  procs: ProcInfo[];
  /** Zombies among workers and orphans, as the kernel reports them (always the total). */
  zombies: number;
  /** false for a diff against the previous `proc` event (supervisor/summary.ts applyEvent applies both). */
  full?: boolean;
  /** Diffs only: pids no longer in the tree (reaped, or exited and gone). */
  gone?: number[];
}
export interface DivergenceEvent extends Base<'divergence'> {
  what: string;
  master: number;
  kernel: number;
  /** The pids the master's account and /proc disagree about. */
  pids?: number[];
  /** true when an earlier divergence of this `what` no longer holds. */
  resolved?: boolean;
}
export interface MasterExitEvent extends Base<'master-exit'> {
  code: number | null;
  signal: string | null;
  stderr: string[];
  /** true when the supervisor asked it to stop. */
  expected?: boolean;
  /** Plain words for the UI when the exit was not asked for (also Summary.lastError). */
  message?: string;
}
export interface ReparentedEvent extends Base<'reparented'> {
  child: number;
}
export interface MasterStartEvent extends Base<'master-start'> {
  child: number;
  argv: string[];
  /** The supervisor's RunConfig (src-main/supervisor/types.ts) this master was started with. */
  config?: { readonly [key: string]: string | number | boolean | undefined };
}

export type ServerEvent =
  | ListeningEvent
  | AcceptEvent
  | RequestEvent
  | ResponseEvent
  | CloseEvent
  | QueueEvent
  | EintrEvent
  | CallEvent
  | ErrorEvent
  | TranscriptEvent
  | NoticeEvent
  | AcceptingEvent
  | StoppingEvent
  | StoppedEvent
  | ForkEvent
  | WorkerReadyEvent
  | SigchldEvent
  | ExitEvent
  | ReapEvent
  | ZombiesEvent
  | SignalSentEvent
  | FdsReleasedEvent
  | ReapPolicyEvent;

export type ClientEvent =
  | ClientConnectEvent
  | ClientConnectedEvent
  | ClientSentEvent
  | ClientFirstByteEvent
  | ClientDoneEvent
  | ClientEofEvent
  | ClientErrorEvent
  | ClientReceivedEvent;

export type SupervisorEvent = ProcEvent | DivergenceEvent | MasterExitEvent | ReparentedEvent | MasterStartEvent;

/** The events only `forkscope observe` emits (it also emits proc, queue, zombies, exit, reap, sigchld…). */
export type ObserveEvent = ObservingEvent | OutputEvent | ConnectionEvent | FdsEvent | SigchldHandlerEvent | SigchldSentEvent | LeftoversEvent;

export type ForkscopeEvent = ServerEvent | ClientEvent | SupervisorEvent | ObserveEvent;
/** Every event of the contract (the same union; kept as a name for the code that says "any event"). */
export type ContractEvent = ForkscopeEvent;
export type EventType = ForkscopeEvent['type'];
export type EventOf<T extends EventType> = Extract<ForkscopeEvent, { type: T }>;

/** What a producer passes to emit(): the contract minus the fields the emitter stamps. */
export type EventInput<E extends ContractEvent = ForkscopeEvent> = E extends ContractEvent
  ? Omit<E, 't' | 'pid' | 'source'>
  : never;

// ── run-time commands to the master (stdin, one JSON object per line) ────────
export type Command =
  | { cmd: 'reap-now' }
  | { cmd: 'set-reap'; policy: ReapPolicy }
  | { cmd: 'kill'; pid: number; signal: number | string }
  | { cmd: 'release-fds' }
  | { cmd: 'stop' };
