// What the master tells a worker it starts: one JSON object in the environment variable
// FORKSCOPE_WORKER, plus FORKSCOPE_T0 (the run's clock origin, so the worker's events land
// on the master's timeline). Type-only on purpose: the worker imports nothing heavy.
import type { Interface, Peer } from '../events';
import type { HttpLimits } from '../http/types';

export const WORKER_ENV = 'FORKSCOPE_WORKER';
export const ORIGIN_ENV = 'FORKSCOPE_T0';

/** fd layout in every worker. */
export const FD = {
  /** fork: the accepted connection; prefork: the listening socket. */
  socket: 3,
  /** The write end of the worker's event pipe: NDJSON events for the master (narration). */
  events: 4,
  /** The write end of the worker's control pipe: what the master must know (worker/control.ts). */
  control: 5,
  /** fork with --child-keeps-listener: the listening socket, deliberately left open. */
  keptListener: 6,
} as const;

export interface WorkerConfig {
  role: 'connection' | 'pool';
  /** 1, 2, … in the order the master started its workers. */
  serial: number;
  /** fork: the connection id the master gave the accepted connection. */
  conn?: number;
  /** fork: the client at the other end of it (the master accepted it). */
  peer?: Peer;
  /** prefork: the pool slot (0-based). */
  slot?: number;
  app: string;
  interface: Interface;
  keepAlive: boolean;
  limits: HttpLimits;
  /** The master's clock when it called posix_spawn, ms (worker-ready's startMs is measured from it). */
  spawnT: number;
  /** The master's pid: a worker whose parent is no longer it has outlived its master. */
  masterPid: number;
  /** --calls: report every system call made (sys/calls.ts). */
  calls?: boolean;
  serverName: string;
  serverPort: number;
  /**
   * fork with --parent-keeps-conn: close the connection as the tutorial's child does — close(),
   * never shutdown() — so no FIN is sent while the master still holds its copy.
   */
  closeOnly?: boolean;
  /** prefork: the backlog to keep on the inherited listener (listen() again would reset it). */
  backlog?: number;
  /** prefork: exit after this many requests (0 = never). */
  maxRequests?: number;
  /** prefork: connections served at once (1: one at a time, as sync workers do). */
  workerConnections?: number;
}
