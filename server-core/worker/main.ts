// A worker process (bundled as dist-core/worker-main.cjs, run by loader.ts). The master started it with
// posix_spawn — fork + exec, since Node cannot fork() — and handed it, already open:
//   fd 3  the accepted connection (fork model) or the listening socket (prefork pool, pool.ts)
//   fd 4  the write end of its event pipe: one JSON event per line (narration, for people)
//   fd 5  the write end of its control pipe: what the master must know (control.ts)
//   fd 6  the listening socket, only with --child-keeps-listener (kept open on purpose)
// Kept lean: a worker's start time is part of every request in the fork model, so no
// koffi (only pool workers load it, with pool.ts) and nothing the two roles do not need.
import { writeSync } from 'node:fs';
import { loadApp } from '../app-loader';
import { now, setOrigin } from '../clock';
import { makeEmit } from '../emit';
import { eventJson } from '../event-json';
import type { EventInput, ForkscopeEvent } from '../events';
import { errorAnswer } from '../http/error-answer';
import { serveAccepted } from '../http/serve-accepted';
import type { ConnectionHooks, LoadedApp } from '../http/types';
import { traceCalls } from '../sys/calls';
import { fsCalls } from '../sys/fd-calls';
import { FD, ORIGIN_ENV, WORKER_ENV, type WorkerConfig } from './config';
import { ControlChannel, RequestsInHand } from './control';
import { W } from './strings';

/**
 * How often a worker writes to its master: events on fd 4, control messages on fd 5, together.
 * A busy pool worker emits several events per request, and each write wakes the master (a
 * read, a write of its own, two context switches on a shared core) — more than serving costs —
 * so they are gathered for a few milliseconds (a person sees them no later for it), and
 * written synchronously at exit, so none is lost.
 */
const FLUSH_EVERY_MS = 4;
let pipeOpen = true;
let pending: string[] = [];
let flushQueued = false;

function scheduleFlush(): void {
  if (flushQueued) return;
  flushQueued = true;
  setTimeout(flushToMaster, FLUSH_EVERY_MS);
}

function toMaster(event: ForkscopeEvent): void {
  if (!pipeOpen) return;
  pending.push(eventJson(event));
  scheduleFlush();
}

function flushToMaster(): void {
  flushQueued = false;
  control.flush();
  if (!pending.length || !pipeOpen) return;
  const data = Buffer.from(`${pending.join('\n')}\n`);
  pending = [];
  let off = 0;
  try {
    while (off < data.length) off += writeSync(FD.events, data, off);
  } catch {
    pipeOpen = false; // the master is gone (EPIPE): serve on, silently
  }
}
process.on('exit', flushToMaster);

const emit = makeEmit(toMaster);
const control = new ControlChannel(FD.control, scheduleFlush);
const inHand = new RequestsInHand(control);

/** Set when the app failed (a 500, or a cut answer): the worker then exits 1. */
let appFailed = false;

function exitCode(): number {
  return appFailed ? 1 : 0;
}

/** What every connection of this worker tells it: the master hears busy/idle and failures as control messages. */
function workerHooks(cfg: WorkerConfig, extra: ConnectionHooks = {}): ConnectionHooks {
  return {
    requestStarted: (conn) => {
      inHand.started(conn, now());
      extra.requestStarted?.(conn);
    },
    requestDone: (conn) => {
      inHand.done(conn);
      extra.requestDone?.(conn);
    },
    appFailed: (conn) => {
      if (!appFailed) control.send({ m: 'failed' });
      appFailed = true;
      extra.appFailed?.(conn);
    },
    // A fork-model worker whose master has gone serves the request in hand, then closes: it is
    // an orphan. (A pool worker dies with its master: pool.ts; getppid() is a system call, and
    // this runs for every answer.)
    mayKeepOpen: (conn) => (cfg.role === 'pool' || process.ppid === cfg.masterPid) && (extra.mayKeepOpen?.(conn) ?? true),
  };
}

function readConfig(): WorkerConfig {
  const raw = process.env[WORKER_ENV];
  if (!raw) {
    process.stderr.write(`${W.noConfig}\n`);
    process.exit(2);
  }
  return JSON.parse(raw) as WorkerConfig;
}

/**
 * The tutorial's child: serve the connection it was handed, then exit. It reads and writes fd 3
 * with read(2) and write(2) through Node's fs (sys/fd-calls.ts); koffi is loaded only if it
 * has to wait (a request still arriving, an answer larger than the socket's buffers).
 */
async function serveOneConnection(cfg: WorkerConfig, app: LoadedApp): Promise<void> {
  const ctx = {
    conn: cfg.conn ?? 0,
    app,
    limits: cfg.limits,
    keepAlive: cfg.keepAlive,
    emit,
    // The connection's clock started when the master accepted it.
    acceptedAt: cfg.spawnT,
    hooks: workerHooks(cfg),
    closeOnly: cfg.closeOnly,
  };
  const waits = async () => (await import('../sys/poller')).poller();
  await serveAccepted(FD.socket, cfg.peer ?? { address: '', port: 0 }, ctx, { calls: fsCalls, waits }).done;
  process.exit(exitCode());
}

/** Without an app there is nothing to serve with: the one error answer, written straight to fd 3. */
function answerCannotLoad(): void {
  try {
    writeSync(FD.socket, errorAnswer(500, W.cannotLoad).bytes);
  } catch {
    /* the client left, or fd 3 is full: nothing more to do */
  }
}

async function main(): Promise<void> {
  const origin = process.env[ORIGIN_ENV];
  if (origin) setOrigin(origin);
  const cfg = readConfig();
  if (cfg.calls) traceCalls((c) => emit({ type: 'call', ...c } as EventInput));
  // Whatever escapes the gateway ends this worker with exit code 1, which `reap` shows — a
  // pool worker once its pending accept has returned (pool.ts).
  let pool: { exitSoon(code: number): void } | null = null;
  const die = (err: unknown): void => {
    emit({ type: 'error', code: 'WORKER', message: W.escaped(process.pid, err) });
    control.send({ m: 'failed' });
    if (pool) pool.exitSoon(1);
    else process.exit(1);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
  let app: LoadedApp;
  try {
    app = await loadApp(cfg.app, cfg.interface, {
      serverName: cfg.serverName,
      serverPort: cfg.serverPort,
      multiprocess: true,
      runOnce: cfg.role === 'connection',
    });
  } catch (err) {
    // The master loaded the same app before listening, so this is rare (a file changed since).
    if (cfg.role === 'connection') answerCannotLoad();
    emit({ type: 'error', code: 'APP_LOAD', status: cfg.role === 'connection' ? 500 : undefined, conn: cfg.conn, message: W.appLoad(err) });
    process.exit(1);
  }
  emit({ type: 'worker-ready', startMs: Math.round((now() - cfg.spawnT) * 1000) / 1000, serial: cfg.serial });
  control.send({ m: 'ready' });
  if (cfg.role === 'pool') {
    // Loaded only here: pool.ts brings koffi, which a fork-model worker's start should not pay for.
    const { servePool } = await import('./pool');
    pool = servePool(cfg, app, {
      emit,
      control,
      hooks: (extra) => workerHooks(cfg, extra),
      appFailed: () => appFailed,
      exit: () => process.exit(exitCode()),
    });
  } else await serveOneConnection(cfg, app);
}

void main();
