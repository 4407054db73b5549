// The Electron main process, kept thin: one locked-down window, the typed IPC, and the
// supervisor. The server master runs under Electron's own binary as Node (ELECTRON_RUN_AS_NODE),
// so a packaged app needs no Node installed. Closing the window or quitting stops every server
// process (supervisor.shutdown) before the app exits.
import { app, BrowserWindow, dialog, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SupervisorApi } from '../supervisor/types';
import { stopLine } from '../supervisor/stop-line';
import { openSupervisor } from '../ipc/open-supervisor';
import { contentSecurityPolicy } from '../web/csp';
import { openedFile } from '../web/opened';
import { pushBatches, registerIpc, trustedFrame } from './ipc';
import { APP_ORIGIN, APP_URL, registerAppScheme, serveRenderer } from './protocol';
import { strings } from './strings';
import { isLanguage } from '../../server-core/i18n/languages';
import { lockDown, applySessionPolicy, createMainWindow } from './window';

// out/main/index.js → out/preload/index.cjs and out/renderer/.
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const preload = join(outDir, 'preload', 'index.cjs');
const rendererDir = join(outDir, 'renderer');
/** Set by `electron-vite dev`: the renderer comes from Vite's dev server. */
const devServer = process.env.ELECTRON_RENDERER_URL;

let supervisor: SupervisorApi | null = null;
let shutDown = false;

registerAppScheme(); // before 'ready', as Electron requires
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  app.whenReady().then(start).catch(quitWith);
}

async function start(): Promise<void> {
  const csp = contentSecurityPolicy({ devServer: devServer ? new URL(devServer).origin : undefined });
  applySessionPolicy(session.defaultSession, csp);
  serveRenderer(rendererDir, csp);
  supervisor = openSupervisor({ node: process.execPath, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  const origins = devServer ? [APP_ORIGIN, new URL(devServer).origin] : [APP_ORIGIN];
  // `npm start -- --open FILE`: the page asks for it once it is up (`recording:opened`).
  const openFile = app.commandLine.getSwitchValue('open');
  registerIpc({ supervisor, isTrustedSender: trustedFrame(origins), opened: openedFile(openFile || undefined) });
  openWindow(supervisor);
  app.on('activate', () => {
    if (supervisor && BrowserWindow.getAllWindows().length === 0) openWindow(supervisor);
  });
}

/** `npm start -- --lang zh-CN` forces the app's language; otherwise the renderer follows the OS locale. */
function pageUrl(): string {
  const url = new URL(devServer ?? APP_URL);
  const lang = app.commandLine.getSwitchValue('lang');
  if (lang && isLanguage(lang)) url.searchParams.set('lang', lang);
  return url.href;
}

function openWindow(sup: SupervisorApi): void {
  const win = createMainWindow({ preload, url: pageUrl() });
  const stopPushing = pushBatches(sup, win.webContents);
  win.on('closed', stopPushing);
}

// One window: closing it quits (on macOS too — a server left running with no window is a surprise).
app.on('window-all-closed', () => app.quit());

// Hold the quit until the supervisor has stopped the master and reaped everything.
app.on('before-quit', (event) => {
  if (shutDown || !supervisor) return;
  event.preventDefault();
  const sup = supervisor;
  supervisor = null;
  const before = sup.summary();
  void sup
    .shutdown()
    .catch(() => {})
    .finally(() => {
      // In the terminal that ran `npm start`: one line saying what was stopped.
      process.stderr.write(`${strings.stopped(stopLine(before, sup.summary()))}\n`);
      shutDown = true;
      app.quit();
    });
});

// Ctrl+C in the terminal that ran `npm start`, or a kill: quit the same careful way.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => app.quit());

function quitWith(err: unknown): void {
  dialog.showErrorBox('forkscope', strings.startFailed(err instanceof Error ? err.message : String(err)));
  app.quit();
}
