// The one window, locked down: isolated, sandboxed, no Node in the page, no navigation away,
// no new windows, no permissions. Every renderer → main message is validated in ipc.ts.
import { BrowserWindow, type Session, type WebContents, type WebPreferences } from 'electron';
import { strings } from './strings';

export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

export interface WindowOptions {
  preload: string;
  url: string;
}

export function createMainWindow({ preload, url }: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: strings.windowTitle,
    backgroundColor: '#111418',
    autoHideMenuBar: true,
    webPreferences: webPreferences(preload),
  });
  lockDown(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(url);
  return win;
}

/** The page stays the app: navigation, pop-ups and <webview> are refused. */
export function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** No camera, notifications or anything else; the CSP header on every response as well. */
export function applySessionPolicy(session: Session, csp: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}
