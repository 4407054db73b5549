// The supervisor's public face: what the Electron window and the browser bridge drive.
import type { Command, ConnectionEvent, ForkscopeEvent, Interface, Model, ProcInfo, ReapPolicy, DivergenceEvent, SigchldHandlerEvent, SigchldSentEvent } from '../../server-core/events';
import type { FireOptions, FireSummary } from '../../server-core/client/types';
import type { RecordingHeader } from '../../server-core/recording/format';

/**
 * Everything needed to start a master (maps one-to-one onto `forkscope serve` flags).
 * A type alias rather than an interface so it fits MasterStartEvent.config (a plain record).
 */
export type RunConfig = {
  model: Model;
  reap: ReapPolicy;
  app: string;
  interface: Interface;
  host: string;
  port: number;
  backlog: number;
  workers: number;
  maxRequests: number;
  parentKeepsConn: boolean;
  childKeepsListener: boolean;
  nofile?: number;
  keepAlive: boolean;
  /** Optional extras (serve's defaults when absent): --max-zombies, --worker-timeout (s), --read-timeout (s), --body-timeout (s). */
  maxZombies?: number;
  workerTimeoutS?: number;
  readTimeoutS?: number;
  bodyTimeoutS?: number;
  /** Prefork: --worker-connections (serve's default 1: one connection at a time, as gunicorn's sync workers). */
  workerConnections?: number;
};

/**
 * "Watch a server": a server of the learner's, started from a command line (in `cwd`, the
 * project's folder when empty) or already running (`pid`); `port` when it listens on several.
 */
export type ObserveConfig = {
  /** Split into words as a shell would (quotes, backslashes), run without a shell. */
  command?: string;
  cwd?: string;
  pid?: number;
  port?: number;
};

/** The watched server, as its `observing` event and what followed it said. */
export interface ObservedServer {
  pid: number;
  /** What forkscope started; null when it watches a pid it did not start. */
  command: string[] | null;
  cwd: string | null;
  /** SIGCHLD and wait() traced one by one (tracefs, root). */
  tracing: boolean;
  /** Why they are not, in plain words (the NO_TRACE notice). */
  traceNote: string | null;
  handler: SigchldHandlerEvent['action'] | null;
  /** Traced SIGCHLDs its children sent, by what became of each (sigchld-sent). */
  sent: Record<SigchldSentEvent['result'], number>;
}

/** One connection to the watched server's port, as its last `connection` event said. */
export type ConnectionView = Pick<ConnectionEvent, 'conn' | 'local' | 'peer' | 'state' | 'holders' | 'waiting'>;

export interface Counters {
  accepted: number;
  forked: number;
  requests: number;
  /** By status code, e.g. { "200": 10, "500": 1 }. */
  responses: Record<string, number>;
  sigchld: number;
  exited: number;
  reaped: number;
  errors: number;
}

/** The live summary: kernel-checked numbers first. */
export interface Summary {
  running: boolean;
  config: RunConfig | null;
  master: { pid: number; host: string; port: number; backlog: number } | null;
  /** The process tree under the supervisor as /proc last showed it. */
  procs: ProcInfo[];
  queue: { length: number; backlog: number };
  /** Zombies as the kernel sees them (state Z in /proc). */
  zombies: { count: number; pids: number[] };
  reap: ReapPolicy | null;
  counters: Counters;
  divergence: DivergenceEvent | null;
  /** Why the last start failed or the master died, in plain words. */
  lastError: string | null;
  /** Set while (and after) a server of the learner's is watched instead of forkscope's own. */
  observed: ObservedServer | null;
  /** The watched server's connections (CLOSED ones dropped), oldest first. */
  connections: ConnectionView[];
}

/** What one file descriptor is (observer/fds.ts). */
export type FdKind = 'listener' | 'connection' | 'socket' | 'pipe' | 'event-loop' | 'file' | 'other';

export interface FdEntry {
  fd: number;
  kind: FdKind;
  /** The kernel's own words: 'LISTEN :8888', 'ESTABLISHED :8888 ⇄ :51234', 'pipe:[123]', 'eventpoll', '/dev/null'. */
  detail: string;
  /** Descriptors 0, 1, 2. */
  std?: 'stdin' | 'stdout' | 'stderr';
}

/** A process's descriptors as /proc showed them at `t`. */
export interface FdTable {
  pid: number;
  t: number;
  /** A zombie holds no descriptors (the kernel closed them all when it exited). */
  zombie: boolean;
  /** Soft RLIMIT_NOFILE: accept and open fail with EMFILE once every number below it is taken. */
  limit: number | null;
  fds: FdEntry[];
}

export interface Batch {
  /** Sequence number of the first event in `events` (history positions). */
  seq: number;
  events: ForkscopeEvent[];
}

export interface Snapshot {
  summary: Summary;
  /** The most recent events (bounded), oldest first. */
  events: ForkscopeEvent[];
  /** Sequence number the next event will have. */
  nextSeq: number;
}

export interface SupervisorApi {
  start(config: RunConfig): Promise<Summary>;
  /** Watches a server of the learner's (stopping whatever ran before); rejects with one line when it cannot. */
  observe(config: ObserveConfig): Promise<Summary>;
  stop(): Promise<void>;
  restart(config?: RunConfig): Promise<Summary>;
  command(cmd: Command): void;
  /** A process's file descriptors, as the kernel says now (processes of the current run only). */
  fds(pid: number): FdTable;
  fire(options: FireOptions): Promise<FireSummary>;
  /** Catch up with one snapshot, then batches (at most 60 per second). */
  subscribe(onBatch: (batch: Batch) => void): { snapshot: Snapshot; unsubscribe(): void };
  summary(): Summary;
  /** The timeline as a recording: a header and the events the history holds (docs/recordings.md). */
  recording(): { header: RecordingHeader; events: ForkscopeEvent[] };
  /** Stops everything and leaves no process behind. */
  shutdown(): Promise<void>;
}
