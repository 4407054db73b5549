// A stand-in for the 'electron' module (there is no Electron binary here): records what the
// shell asks of BrowserWindow, ipcMain, session and protocol so tests can check the settings.
import { vi } from 'vitest';

type Listener = (...args: any[]) => unknown;

export class FakeWebContents {
  listeners = new Map<string, Listener[]>();
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  sent: [string, unknown][] = [];
  destroyed = false;
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  isDestroyed() {
    return this.destroyed;
  }
  /** Fires `event` the way Electron would; returns whether a listener called preventDefault(). */
  fire(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    const ev = { preventDefault: () => (prevented = true) };
    for (const l of this.listeners.get(event) ?? []) l(ev, ...args);
    return prevented;
  }
}

export class FakeBrowserWindow {
  static created: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  loaded: string[] = [];
  handlers = new Map<string, Listener[]>();
  constructor(public options: Record<string, any>) {
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string) {
    this.loaded.push(url);
    return Promise.resolve();
  }
  once(event: string, l: Listener) {
    return this.on(event, l);
  }
  on(event: string, l: Listener) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), l]);
    return this;
  }
  show() {}
}

export const ipcHandlers = new Map<string, Listener>();

export function makeElectronMock() {
  const headerListeners: Listener[] = [];
  const session = {
    permissionRequest: null as Listener | null,
    permissionCheck: null as Listener | null,
    setPermissionRequestHandler(h: Listener) {
      session.permissionRequest = h;
    },
    setPermissionCheckHandler(h: Listener) {
      session.permissionCheck = h;
    },
    webRequest: { onHeadersReceived: (l: Listener) => headerListeners.push(l) },
    headerListeners,
  };
  return {
    BrowserWindow: FakeBrowserWindow,
    ipcMain: {
      handle: vi.fn((channel: string, l: Listener) => ipcHandlers.set(channel, l)),
      removeHandler: vi.fn((channel: string) => ipcHandlers.delete(channel)),
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(),
      handle: vi.fn(),
    },
    session: { defaultSession: session },
  };
}
