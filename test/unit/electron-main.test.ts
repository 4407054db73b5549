// The Electron main process's lifecycle, with 'electron' and the supervisor factory mocked:
// sandbox and scheme set up before 'ready', the master told to run under Electron as Node,
// one locked-down window, and quitting held until supervisor.shutdown() has finished.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { fakeSupervisor } from './ipc-fakes';

const h = vi.hoisted(() => ({ order: [] as string[], ready: null as null | (() => void), sup: null as unknown, launches: [] as unknown[] }));

vi.mock('electron', async () => {
  const base = (await import('./electron-mock')).makeElectronMock();
  const app = Object.assign(new EventEmitter(), {
    enableSandbox: vi.fn(() => h.order.push('enableSandbox')),
    requestSingleInstanceLock: vi.fn(() => true),
    whenReady: vi.fn(() => new Promise<void>((resolve) => (h.ready = resolve))),
    commandLine: { getSwitchValue: vi.fn(() => '') },
    quit: vi.fn(),
  });
  base.protocol.registerSchemesAsPrivileged.mockImplementation(() => h.order.push('registerSchemes'));
  return { ...base, app, dialog: { showErrorBox: vi.fn() }, BrowserWindow: Object.assign(base.BrowserWindow, { getAllWindows: () => base.BrowserWindow.created }) };
});

vi.mock('../../src-main/ipc/open-supervisor', async () => {
  const { fakeSupervisor } = await import('./ipc-fakes');
  return {
    openSupervisor: vi.fn((launch: unknown) => {
      h.launches.push(launch);
      h.sup = fakeSupervisor();
      return h.sup;
    }),
  };
});

const signalsBefore = new Map((['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, process.listeners(s)]));
const electron = (await import('electron')) as any;
const { FakeBrowserWindow, ipcHandlers } = await import('./electron-mock');
await import('../../src-main/electron/main');

afterAll(() => {
  // main.ts quits on these signals; leave the test worker's own handlers as they were.
  for (const [signal, before] of signalsBefore) for (const l of process.listeners(signal)) if (!before.includes(l)) process.off(signal, l);
});

describe('Electron main', () => {
  it('enables the sandbox and registers the app scheme before ready', () => {
    expect(h.order).toEqual(['registerSchemes', 'enableSandbox']);
    expect(h.ready).not.toBeNull();
    expect(FakeBrowserWindow.created).toHaveLength(0);
  });

  it('on ready: runs the master under Electron as Node, wires IPC, opens one locked-down window', async () => {
    h.ready!();
    await vi.waitFor(() => expect(FakeBrowserWindow.created).toHaveLength(1));
    expect(h.launches).toEqual([{ node: process.execPath, env: expect.objectContaining({ ELECTRON_RUN_AS_NODE: '1' }) }]);
    const win = FakeBrowserWindow.created[0];
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.options.webPreferences.preload).toMatch(/[\\/]preload[\\/]index\.cjs$/);
    expect(win.loaded).toEqual(['forkscope://app/index.html']);
    expect(win.webContents.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(electron.protocol.handle).toHaveBeenCalledWith('forkscope', expect.any(Function));
    expect(electron.session.defaultSession.headerListeners).toHaveLength(1);
    expect(ipcHandlers.size).toBe(10);
    expect((h.sup as ReturnType<typeof fakeSupervisor>).subscribers()).toBe(1); // batches flow to the window
  });

  it('closing the last window quits', () => {
    electron.app.quit.mockClear();
    electron.app.emit('window-all-closed');
    expect(electron.app.quit).toHaveBeenCalledTimes(1);
  });

  it('holds the quit until the supervisor has shut everything down', async () => {
    const sup = h.sup as ReturnType<typeof fakeSupervisor>;
    let finish!: () => void;
    vi.mocked(sup.shutdown).mockImplementationOnce(() => new Promise<void>((r) => (finish = r)));
    electron.app.quit.mockClear();
    const first = { preventDefault: vi.fn() };
    electron.app.emit('before-quit', first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(sup.shutdown).toHaveBeenCalledTimes(1);
    expect(electron.app.quit).not.toHaveBeenCalled();
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    finish();
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalledTimes(1));
    // The terminal that ran `npm start` is told, in one line, what was stopped.
    expect(said.mock.calls.map((c) => String(c[0]))).toEqual(['forkscope: stopped; no server was running\n']);
    said.mockRestore();
    // The quit that follows goes through.
    const second = { preventDefault: vi.fn() };
    electron.app.emit('before-quit', second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(sup.shutdown).toHaveBeenCalledTimes(1);
  });

  it('quits the same careful way on SIGINT/SIGTERM', () => {
    electron.app.quit.mockClear();
    const added = process.listeners('SIGTERM').filter((l) => !signalsBefore.get('SIGTERM')!.includes(l));
    expect(added).toHaveLength(1);
    (added[0] as () => void)();
    expect(electron.app.quit).toHaveBeenCalledTimes(1);
  });
});
