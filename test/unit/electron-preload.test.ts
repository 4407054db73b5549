// The preload's `window.forkscope`: one function per message over ipcRenderer, only known
// channels, and the IPC event object kept from the page.
import { describe, expect, it, vi } from 'vitest';
import { cleanRemoteError, createApi } from '../../src-main/preload/api';
import { goodConfig } from './ipc-fakes';

vi.mock('electron', () => ({ contextBridge: { exposeInMainWorld: vi.fn() }, ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() } }));

function fakeIpc() {
  const listeners = new Map<string, (...a: unknown[]) => void>();
  return {
    invoke: vi.fn(async (channel: string, arg: unknown) => ({ channel, arg })),
    on: vi.fn((channel: string, l: (...a: unknown[]) => void) => listeners.set(channel, l)),
    removeListener: vi.fn((channel: string) => listeners.delete(channel)),
    listeners,
  };
}

describe('preload API', () => {
  it('maps each function to its channel', async () => {
    const ipc = fakeIpc();
    const api = createApi(ipc as never);
    await api.start(goodConfig);
    await api.stop();
    await api.command({ cmd: 'reap-now' });
    await api.snapshot();
    await api.fds(1234);
    expect(ipc.invoke.mock.calls).toEqual([
      ['server:start', goodConfig],
      ['server:stop', null],
      ['server:command', { cmd: 'reap-now' }],
      ['timeline:snapshot', null],
      ['process:fds', { pid: 1234 }],
    ]);
  });

  it('refuses channels outside the map', async () => {
    const ipc = fakeIpc();
    const api = createApi(ipc as never);
    await expect(api.invoke('shell:exec' as never, null as never)).rejects.toThrow(/unknown channel/);
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('delivers batches without the IPC event, and unsubscribes', () => {
    const ipc = fakeIpc();
    const api = createApi(ipc as never);
    const seen: unknown[][] = [];
    const off = api.onBatch((...args: unknown[]) => seen.push(args));
    ipc.listeners.get('timeline:batch')!({ sender: 'secret' }, { seq: 3, events: [] });
    expect(seen).toEqual([[{ seq: 3, events: [] }]]);
    off();
    expect(ipc.listeners.has('timeline:batch')).toBe(false);
  });

  it("strips Electron's remote-method prefix from errors", () => {
    expect(cleanRemoteError(new Error("Error invoking remote method 'server:start': Error: port 8888 is already in use")).message).toBe('port 8888 is already in use');
  });

  it('exposes the API as window.forkscope through contextBridge', async () => {
    const electron = await import('electron');
    await import('../../src-main/preload/index');
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledWith('forkscope', expect.objectContaining({ invoke: expect.any(Function), onBatch: expect.any(Function), start: expect.any(Function) }));
  });
});
