// `forkscope web` (npm run web): the desktop app's supervisor behind a WebSocket bridge on
// 127.0.0.1, serving the built renderer to a browser. Prints exactly one line on stdout — the
// address with its random token — and leaves nothing running when stopped (Ctrl+C or SIGTERM).
import { accessSync, constants } from 'node:fs';
import { openedFile } from './opened';
import type { SupervisorApi } from '../supervisor/types';
import { stopLine } from '../supervisor/stop-line';
import { openSupervisor } from '../ipc/open-supervisor';
import { newToken } from './guard';
import { openBrowser } from './open';
import { ensureRenderer, findRoot, rendererDir, rendererFresh } from './renderer-build';
import { startWebServer, type WebServer } from './server';
import { strings } from './strings';
import { isLanguage, unknownLanguage } from '../../server-core/i18n/languages';

export { buildApp, ensureRenderer, findRoot, rendererFresh } from './renderer-build';
export { isLanguage, unknownLanguage } from '../../server-core/i18n/languages';

export interface WebOptions {
  /** 0 = any free port. As typed on the command line, a string of digits. */
  port: number | string;
  /** Open the default browser (failing to is fine: the address is printed). */
  open: boolean;
  /** Force the app's language (`--lang zh-CN`); otherwise the browser's (or the learner's last choice). */
  lang?: string;
  /** A recording the page shows when it opens (`--open FILE`). */
  openFile?: string;
}

/** A shutdown that cannot finish in this time is cut short; the process must not hang. */
const SHUTDOWN_LIMIT_MS = 15_000;

export async function runWeb(opts: WebOptions): Promise<void> {
  const port = typeof opts.port === 'number' ? opts.port : /^\d+$/.test(opts.port.trim()) ? Number(opts.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(strings.badPort(String(opts.port)), 2);
  if (opts.lang != null && !isLanguage(opts.lang)) fail(`forkscope web: ${unknownLanguage(opts.lang)}`, 2);
  if (opts.openFile !== undefined) checkReadable(opts.openFile);
  const root = findRoot();
  if (!rendererFresh(root)) {
    process.stderr.write(`${strings.building}\n`);
    try {
      await ensureRenderer(root, (text) => process.stderr.write(text));
    } catch (err) {
      fail(strings.buildFailed((err as { code?: number | null }).code ?? null), 1);
    }
  }

  const supervisor = openSupervisor();
  let server: WebServer;
  try {
    server = await startWebServer({ supervisor, rendererDir: rendererDir(root), token: newToken(), port, opened: openedFile(opts.openFile) });
  } catch (err) {
    await supervisor.shutdown();
    const code = (err as NodeJS.ErrnoException).code;
    fail(code === 'EADDRINUSE' ? strings.portInUse(port) : strings.cannotListen((err as Error).message), code === 'EADDRINUSE' ? 2 : 1);
  }
  stopOnSignals(server, supervisor);
  const url = opts.lang ? `${server.url}&lang=${encodeURIComponent(opts.lang)}` : server.url;
  process.stdout.write(`${strings.ready(url)}\n`);
  if (opts.open) openBrowser(url);
}

function stopOnSignals(server: WebServer, supervisor: SupervisorApi): void {
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code || 1), SHUTDOWN_LIMIT_MS).unref();
    const before = supervisor.summary();
    void Promise.allSettled([server.close(), supervisor.shutdown()]).then(() => {
      // One line saying what the Ctrl+C stopped (stdout keeps only the address line).
      process.stderr.write(`${strings.stopped(stopLine(before, supervisor.summary()))}\n`);
      process.exit(code);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(0));
  process.on('uncaughtException', (err) => {
    process.stderr.write(`${strings.crashed(err.stack ?? err.message)}\n`);
    stop(1);
  });
}

/** A file named with --open must be there now: one line and exit 2 otherwise, before anything starts. */
function checkReadable(file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    fail(strings.cannotOpen(file, (err as NodeJS.ErrnoException).code ?? String(err)), 2);
  }
}

function fail(line: string, code: number): never {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}
