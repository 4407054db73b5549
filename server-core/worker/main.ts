// A worker process (bundled as dist-core/worker-main.cjs, run by loader.ts). The master started it with
// posix_spawn — fork + exec, since Node cannot fork() — and handed it, already open:
//   fd 3  the accepted connection (fork model) or the listening socket (prefork pool, pool.ts)
//   fd 4  the write end of its event pipe: one JSON event per line, read by the master
//   fd 5  the listening socket, only with --child-keeps-listener (kept open on purpose)
// Kept lean: a worker's start time is part of every request in the fork model, so no
// koffi (only pool workers load it, with pool.ts) and nothing the two roles do not need.
import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { loadApp } from '../app-loader';
import { now, setOrigin } from '../clock';
import { makeEmit, type Emit } from '../emit';
import { eventJson } from '../event-json';
import type { ForkscopeEvent } from '../events';
import { serveDirectFromRead } from '../http/direct-read';
import type { LoadedApp } from '../http/types';
import { FD, ORIGIN_ENV, WORKER_ENV, type WorkerConfig } from './config';

const FLUSH_EVERY_MS = 1;
let pipeOpen = true;
let pending: string[] = [];
let flushQueued = false;

/**
 * Events go to the master through fd 4, one JSON object per line. They are gathered and
 * written at most once a millisecond (a busy pool worker emits several per request: one
 * write(2) each — and one read for the master — cost more than serving), and written
 * synchronously at exit, so none is lost.
 */
function toMaster(event: ForkscopeEvent): void {
  if (!pipeOpen) return;
  pending.push(eventJson(event));
  if (!flushQueued) {
    flushQueued = true;
    setTimeout(flushToMaster, FLUSH_EVERY_MS);
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

/**
 * The seed's child: read the request, answer, close. One plain request that has arrived is
 * served directly with read(2) and write(2) (direct-read.ts); anything else — with what was
 * read put back in front of it — by Node's http server, loaded only then.
 */
async function serveOneConnection(cfg: WorkerConfig, app: LoadedApp): Promise<void> {
  const ctx = { conn: cfg.conn ?? 0, app, limits: cfg.limits, keepAlive: cfg.keepAlive, emit };
  const first = serveDirectFromRead(FD.socket, cfg.peer ?? { address: '', port: 0 }, ctx);
  if ('served' in first) {
    await first.served.done;
    process.exit(exitCode());
  }
  const [{ Socket }, { serveConnection }] = await Promise.all([import('node:net'), import('../http/connection')]);
  const socket = new Socket({ fd: FD.socket, readable: true, writable: true });
  if (first.read) socket.unshift(first.read);
  if (cfg.closeOnly) closeWithoutShutdown(socket);
  await serveConnection(socket, ctx);
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

async function main(): Promise<void> {
  const origin = process.env[ORIGIN_ENV];
  if (origin) setOrigin(origin);
  const cfg = readConfig();
  // Whatever escapes the gateway ends this worker with exit code 1, which `reap` shows — a
  // pool worker once its pending accept has returned (pool.ts).
  let pool: { exitSoon(code: number): void } | null = null;
  const die = (err: unknown): void => {
    emit({ type: 'error', status: 500, code: 'WORKER', message: `worker ${process.pid}: ${err instanceof Error ? err.message : String(err)}` });
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
    const message = `worker could not load the app: ${err instanceof Error ? err.message : String(err)}`;
    if (cfg.role === 'connection') answerRaw500();
    emit({ type: 'error', code: 'APP_LOAD', status: cfg.role === 'connection' ? 500 : undefined, conn: cfg.conn, message });
    process.exit(1);
  }
  emit({ type: 'worker-ready', startMs: Math.round((now() - cfg.spawnT) * 1000) / 1000, serial: cfg.serial });
  if (cfg.role === 'pool') {
    // Loaded only here: pool.ts brings koffi, which a fork-model worker's start should not pay for.
    const { servePool } = await import('./pool');
    pool = servePool(cfg, app, { emit, appFailed: () => appFailed, exit: () => process.exit(exitCode()) });
  } else await serveOneConnection(cfg, app);
}

void main();
