// IPC wiring with 'electron' mocked: one handler per channel, every message validated before
// the supervisor sees it, only the app's own frame heard, batches pushed to the page.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeSupervisor, goodConfig } from './ipc-fakes';

vi.mock('electron', async () => (await import('./electron-mock')).makeElectronMock());

const { ipcHandlers, FakeWebContents } = await import('./electron-mock');
const { registerIpc, pushBatches, trustedFrame } = await import('../../src-main/electron/ipc');

const appFrame = { url: 'forkscope://app/index.html', parent: null };
const call = (channel: string, arg: unknown, frame: unknown = appFrame) => {
  const handler = ipcHandlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler({ senderFrame: frame }, arg) as Promise<unknown>;
};

describe('Electron IPC', () => {
  beforeEach(() => ipcHandlers.clear());

  it('registers one handler per channel and removes them again', () => {
    const dispose = registerIpc({ supervisor: fakeSupervisor(), isTrustedSender: trustedFrame(['forkscope://app']) });
    expect([...ipcHandlers.keys()].sort()).toEqual(['client:fire', 'observe:start', 'process:fds', 'recording:get', 'recording:opened', 'server:command', 'server:restart', 'server:start', 'server:stop', 'timeline:snapshot']);
    dispose();
    expect(ipcHandlers.size).toBe(0);
  });

  it('passes a valid message through to the supervisor', async () => {
    const sup = fakeSupervisor();
    registerIpc({ supervisor: sup, isTrustedSender: trustedFrame(['forkscope://app']) });
    await expect(call('server:start', goodConfig)).resolves.toMatchObject({ running: true, config: goodConfig });
    expect(sup.start).toHaveBeenCalledWith(goodConfig);
    await expect(call('server:command', { cmd: 'set-reap', policy: 'loop' })).resolves.toBeNull();
    expect(sup.command).toHaveBeenCalledWith({ cmd: 'set-reap', policy: 'loop' });
  });

  it('rejects a bad message without calling the supervisor', async () => {
    const sup = fakeSupervisor();
    registerIpc({ supervisor: sup, isTrustedSender: trustedFrame(['forkscope://app']) });
    await expect(call('server:start', { ...goodConfig, port: -1 })).rejects.toThrow(/bad server:start message: port/);
    await expect(call('server:start', 'fork')).rejects.toThrow(/bad server:start message/);
    await expect(call('server:command', { cmd: 'kill', pid: 'all', signal: 9 })).rejects.toThrow(/bad server:command message/);
    await expect(call('client:fire', { url: 'http://127.0.0.1/' })).rejects.toThrow(/bad client:fire message/);
    expect(sup.start).not.toHaveBeenCalled();
    expect(sup.command).not.toHaveBeenCalled();
    expect(sup.fire).not.toHaveBeenCalled();
  });

  it('refuses messages from any other page or from a sub-frame', async () => {
    const sup = fakeSupervisor();
    registerIpc({ supervisor: sup, isTrustedSender: trustedFrame(['forkscope://app']) });
    await expect(call('server:start', goodConfig, { url: 'https://evil.example/', parent: null })).rejects.toThrow(/refused/);
    await expect(call('server:start', goodConfig, { url: 'forkscope://app.evil/x', parent: null })).rejects.toThrow(/refused/);
    await expect(call('server:start', goodConfig, { url: 'forkscope://app/index.html', parent: appFrame })).rejects.toThrow(/refused/);
    await expect(call('server:start', goodConfig, null)).rejects.toThrow(/refused/);
    expect(sup.start).not.toHaveBeenCalled();
  });

  it('turns a supervisor failure into a one-line error', async () => {
    const sup = fakeSupervisor();
    vi.mocked(sup.start).mockRejectedValueOnce(new Error('port 8888 is already in use'));
    registerIpc({ supervisor: sup, isTrustedSender: trustedFrame(['forkscope://app']) });
    await expect(call('server:start', goodConfig)).rejects.toThrow('port 8888 is already in use');
  });

  it('pushes supervisor batches to the page until disposed', () => {
    const sup = fakeSupervisor();
    const wc = new FakeWebContents();
    const stop = pushBatches(sup, wc as never);
    sup.emit({ seq: 0, events: [] });
    expect(wc.sent).toEqual([['timeline:batch', { seq: 0, events: [] }]]);
    wc.destroyed = true;
    sup.emit({ seq: 1, events: [] });
    expect(wc.sent).toHaveLength(1);
    stop();
    expect(sup.subscribers()).toBe(0);
  });
});
