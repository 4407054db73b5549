// A worker process (bundled as dist-core/worker.cjs). The master started it with
// posix_spawn — fork + exec, since Node cannot fork() — and handed it, already open:
//   fd 3  the accepted connection (fork model) or the listening socket (prefork pool)
//   fd 4  the write end of its event pipe: one JSON event per line, read by the master
//   fd 5  the listening socket, only with --child-keeps-listener (kept open on purpose)
// Kept lean: a worker's start time is part of every request in the fork model, so no
// koffi and nothing the two roles do not need.
import { writeSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { loadApp } from '../app-loader';
import { now, setOrigin } from '../clock';
import { poolConnId } from '../conn-id';
import { makeEmit, type Emit } from '../emit';
import type { ForkscopeEvent } from '../events';
import { serveConnection } from '../http/connection';
import type { LoadedApp } from '../http/types';
import { FD, ORIGIN_ENV, WORKER_ENV, type WorkerConfig } from './config';
import { RequestBudget } from './request-budget';

let pipeOpen = true;
let pending: string[] = [];
let flushQueued = false;

/**
 * Events go to the master through fd 4, one JSON object per line. They are gathered and
 * written once per turn of the event loop (a busy pool worker emits several per request, and
 * one write(2) each cost more than serving), and written synchronously at exit, so none is lost.
 */
function toMaster(event: ForkscopeEvent): void {
  if (!pipeOpen) return;
  pending.push(JSON.stringify(event));
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(flushToMaster);
  }
}

function flushToMaster(): void {
  flushQueued = false;
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

/** Set when the app threw (or broke the gateway contract): the worker then exits 1. */
let appFailed = false;
const emit: Emit = makeEmit((event) => {
  if (event.type === 'error' && event.status === 500) appFailed = true;
  toMaster(event);
});

function exitCode(): number {
  return appFailed ? 1 : 0;
}

function readConfig(): WorkerConfig {
  const raw = process.env[WORKER_ENV];
  if (!raw) {
    process.stderr.write('forkscope worker: started without its configuration; workers are started by `forkscope serve`.\n');
    process.exit(2);
  }
  return JSON.parse(raw) as WorkerConfig;
}

/** Without an app there is no HTTP machinery to answer with: a minimal 500, written straight to fd 3. */
function answerRaw500(): void {
  const body = 'The server could not load its application.\n';
  try {
    writeSync(FD.socket, `HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  } catch {
    /* the client left, or fd 3 is non-blocking and full: nothing more to do */
  }
}

async function serveOneConnection(cfg: WorkerConfig, app: LoadedApp): Promise<void> {
  const socket = new Socket({ fd: FD.socket, readable: true, writable: true });
  if (cfg.closeOnly) closeWithoutShutdown(socket);
  await serveConnection(socket, { conn: cfg.conn ?? 0, app, limits: cfg.limits, keepAlive: cfg.keepAlive, emit });
  process.exit(exitCode());
}

/**
 * Node ends a socket with shutdown(SHUT_WR), which sends FIN whatever other copies of the
 * connection exist. The seed's child calls close(): the FIN waits for the LAST copy — and a
 * parent that keeps its copy (--parent-keeps-conn) leaves the client waiting for EOF. So
 * here, once the response is written, the fd is closed without a shutdown.
 */
function closeWithoutShutdown(socket: Socket): void {
  (socket as unknown as { _final: (cb: (err?: Error | null) => void) => void })._final = (cb) => {
    cb();
    setImmediate(() => socket.destroy());
  };
}

/** A pool worker accepts on the inherited listening socket itself, as Apache prefork and gunicorn's sync workers do. */
function servePool(cfg: WorkerConfig, app: LoadedApp): void {
  let accepted = 0;
  let active = 0;
  let closing = false;
  const server = createServer({ allowHalfOpen: false });
  const finishIfDone = (): void => {
    if (closing && active === 0) process.exit(exitCode());
  };
  const stopAccepting = (): void => {
    if (closing) return;
    closing = true;
    // Closing the handle inside the 'connection' callback ends libuv's accept batch at once,
    // so a worker never takes more connections than it has requests left to serve.
    server.close();
  };
  const budget = new RequestBudget(cfg.maxRequests ?? 0, stopAccepting);
  const narrate: Emit = (event) => {
    budget.note(event);
    emit(event);
  };
  const keepAlive = cfg.keepAlive;
  server.on('connection', (socket: Socket) => {
    accepted++;
    active++;
    // Unique in the run: the worker's serial number and its own count (conn-id.ts).
    const conn = poolConnId(cfg.serial, accepted);
    budget.opened(conn, socket);
    emit({ type: 'accept', conn, peer: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 } });
    if (cfg.maxRequests && accepted >= cfg.maxRequests) stopAccepting();
    const ctx = {
      conn,
      app,
      limits: cfg.limits,
      // Read per request: once the budget is spent, the request in hand is answered with Connection: close.
      get keepAlive(): boolean {
        return keepAlive && !budget.spent;
      },
      emit: narrate,
    };
    void serveConnection(socket, ctx).finally(() => {
      active--;
      if (appFailed) stopAccepting();
      finishIfDone();
    });
  });
  server.on('error', (err) => {
    emit({ type: 'error', message: `worker cannot accept on the inherited socket: ${err.message}` });
    process.exit(1);
  });
  // The backlog must be the master's: listen() on a listening socket sets it anew, and Node
  // reads it for an fd only from the second argument (an options.backlog is ignored: 511).
  server.listen({ fd: FD.socket }, cfg.backlog);
}

async function main(): Promise<void> {
  const origin = process.env[ORIGIN_ENV];
  if (origin) setOrigin(origin);
  const cfg = readConfig();
  // Whatever escapes the gateway ends this worker with exit code 1, which `reap` shows.
  const die = (err: unknown): void => {
    emit({ type: 'error', status: 500, code: 'WORKER', message: `worker ${process.pid}: ${err instanceof Error ? err.message : String(err)}` });
    process.exit(1);
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
    const message = `worker could not load the app: ${err instanceof Error ? err.message : String(err)}`;
    if (cfg.role === 'connection') answerRaw500();
    emit({ type: 'error', code: 'APP_LOAD', status: cfg.role === 'connection' ? 500 : undefined, conn: cfg.conn, message });
    process.exit(1);
  }
  emit({ type: 'worker-ready', startMs: Math.round((now() - cfg.spawnT) * 1000) / 1000, serial: cfg.serial });
  if (cfg.role === 'pool') servePool(cfg, app);
  else await serveOneConnection(cfg, app);
}

void main();
