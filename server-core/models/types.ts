// What every process model (iterative, fork, prefork) is given and must provide.
import type { Emit, Sink } from '../emit';
import type { Command, Interface, Model, ReapPolicy } from '../events';
import type { HttpLimits, LoadedApp } from '../http/types';
import type { Listener } from '../listener';

export interface ServerOptions {
  app: string;
  interface: Interface;
  model: Model;
  host: string;
  port: number;
  backlog: number;
  reap: ReapPolicy;
  workers: number;
  maxRequests: number;
  /** prefork: connections a worker serves at once (1: one at a time, as gunicorn's sync workers). */
  workerConnections: number;
  parentKeepsConn: boolean;
  childKeepsListener: boolean;
  /** The master's RLIMIT_NOFILE, when set. */
  nofile?: number;
  maxZombies: number;
  workerTimeoutS: number;
  keepAlive: boolean;
  limits: HttpLimits;
  /** --calls: narrate every system call the server makes (a `call` event each). */
  calls: boolean;
}

export interface RunContext {
  opts: ServerOptions;
  listener: Listener;
  emit: Emit;
  /** The app, loaded once by serve.ts (the iterative model serves with it; workers load their own). */
  app: LoadedApp;
  /** The accept-queue probe: poke() it right after an accept so the change is seen at once. */
  probe?: { poke(): void };
  /**
   * The sink behind `emit`, for events other processes already stamped (a worker's events
   * carry the worker's pid and t): forwarded as they are. Fork and prefork need it.
   */
  forward?: Sink;
  /**
   * JSON output only: complete NDJSON lines from a worker (each ending in a newline), written
   * to the event stream as the bytes they are — no decoding, no parse, no re-stringify on the
   * master's busy path. Without it, worker events are parsed and go through `forward`.
   */
  forwardLines?: (lines: Buffer) => void;
}

export interface ServerModel {
  /** Starts accepting (or starts the pool). Resolves when the model is running. */
  start(): Promise<void>;
  /** A run-time command from stdin (reap-now, set-reap, kill, release-fds); 'stop' is handled by serve.ts. */
  command(cmd: Exclude<Command, { cmd: 'stop' }>): void;
  /** Stops accepting, ends workers (SIGTERM, then SIGKILL), reaps them. Resolves when none is left. */
  stop(reason: string): Promise<void>;
}

export type ModelFactory = (ctx: RunContext) => ServerModel;
