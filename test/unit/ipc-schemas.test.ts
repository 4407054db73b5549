import { describe, expect, it, vi } from 'vitest';
import { CommandSchema, FireOptionsSchema, INVOKE_CHANNELS, parseInvoke, RunConfigSchema } from '../../src-main/ipc/schemas';
import { BadMessageError, createDispatch, supervisorHandlers } from '../../src-main/ipc/dispatch';
import { fakeSupervisor, goodConfig, goodFire } from './ipc-fakes';

describe('renderer → main schemas', () => {
  it('accept a well-formed run config, command and fire options', () => {
    expect(RunConfigSchema.parse(goodConfig)).toEqual(goodConfig);
    expect(RunConfigSchema.parse({ ...goodConfig, nofile: 64 }).nofile).toBe(64);
    expect(CommandSchema.parse({ cmd: 'set-reap', policy: 'loop' })).toEqual({ cmd: 'set-reap', policy: 'loop' });
    expect(CommandSchema.parse({ cmd: 'kill', pid: 1234, signal: 'SIGKILL' })).toBeTruthy();
    expect(CommandSchema.parse({ cmd: 'kill', pid: 1234, signal: 9 })).toBeTruthy();
    expect(FireOptionsSchema.parse(goodFire)).toEqual(goodFire);
  });

  it.each([
    ['unknown model', { ...goodConfig, model: 'threads' }],
    ['port out of range', { ...goodConfig, port: 70000 }],
    ['non-loopback host', { ...goodConfig, host: '0.0.0.0' }],
    ['extra key', { ...goodConfig, shell: 'rm -rf /' }],
    ['missing key', { ...goodConfig, reap: undefined }],
    ['fractional backlog', { ...goodConfig, backlog: 1.5 }],
    ['NUL in app', { ...goodConfig, app: 'a\0b' }],
    ['string number', { ...goodConfig, port: '8888' }],
  ])('refuse a run config with %s', (_why, config) => {
    expect(RunConfigSchema.safeParse(config).success).toBe(false);
  });

  it.each([
    [{ cmd: 'format-disk' }],
    [{ cmd: 'set-reap', policy: 'sometimes' }],
    [{ cmd: 'kill', pid: 1, signal: 'SIGKILL' }],
    [{ cmd: 'kill', pid: 1234, signal: 'KILL; rm' }],
    [{ cmd: 'reap-now', extra: 1 }],
    ['reap-now'],
    [null],
  ])('refuse command %j', (cmd) => {
    expect(CommandSchema.safeParse(cmd).success).toBe(false);
  });

  it.each([
    ['non-http url', { ...goodFire, url: 'file:///etc/passwd' }],
    ['header with CRLF', { ...goodFire, headers: [['X-A', 'b\r\nEvil: 1']] }],
    ['too big a burst', { ...goodFire, clients: 1000, conns: 1000 }],
    ['zero clients', { ...goodFire, clients: 0 }],
    ['raw without bytes', { ...goodFire, mode: 'raw' }],
    ['bad method', { ...goodFire, method: 'GET /' }],
    ['remote targets allowed', { ...goodFire, allowRemote: true }],
  ])('refuse fire options with %s', (_why, options) => {
    expect(FireOptionsSchema.safeParse(options).success).toBe(false);
  });

  it('knows every channel and refuses others', () => {
    expect(INVOKE_CHANNELS.sort()).toEqual(['client:fire', 'observe:start', 'process:fds', 'recording:get', 'recording:opened', 'server:command', 'server:restart', 'server:start', 'server:stop', 'timeline:snapshot']);
    expect(parseInvoke('shell:exec', 'ls')).toMatchObject({ ok: false, error: expect.stringContaining('unknown channel') });
    expect(parseInvoke('__proto__', null).ok).toBe(false);
    expect(parseInvoke('server:stop', undefined)).toEqual({ ok: true, channel: 'server:stop', arg: null });
    expect(parseInvoke('server:stop', { now: true }).ok).toBe(false);
  });

  it('"Watch a server": a command (with an optional folder) or a pid, never both, never neither', () => {
    expect(parseInvoke('observe:start', { command: 'python3 examples/fork-no-reap.py', cwd: '/tmp' })).toMatchObject({ ok: true, channel: 'observe:start' });
    expect(parseInvoke('observe:start', { pid: 1234, port: 8888 })).toMatchObject({ ok: true });
    expect(parseInvoke('observe:start', { command: 'python3 x.py', pid: 1234 })).toMatchObject({ ok: false, error: expect.stringContaining('not both') });
    expect(parseInvoke('observe:start', {})).toMatchObject({ ok: false, error: expect.stringContaining('a command or a pid') });
    expect(parseInvoke('observe:start', { pid: 1234, cwd: '/tmp' }).ok).toBe(false);
    expect(parseInvoke('observe:start', { command: '   ' }).ok).toBe(false);
    expect(parseInvoke('observe:start', { command: 'a\0b' }).ok).toBe(false);
    expect(parseInvoke('observe:start', { pid: 0 }).ok).toBe(false);
    expect(parseInvoke('observe:start', { command: 'x', shell: true }).ok).toBe(false);
  });

  it('explain a refusal in one line naming the field', () => {
    const r = parseInvoke('server:start', { ...goodConfig, port: 70000 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/^bad server:start message: port: /);
      expect(r.error).not.toContain('\n');
    }
  });
});

describe('dispatch', () => {
  it('passes a valid message to the supervisor', async () => {
    const sup = fakeSupervisor();
    const dispatch = createDispatch(supervisorHandlers(sup));
    await expect(dispatch('server:start', goodConfig)).resolves.toMatchObject({ running: true });
    expect(sup.start).toHaveBeenCalledWith(goodConfig);
    await expect(dispatch('server:command', { cmd: 'reap-now' })).resolves.toBeNull();
    expect(sup.command).toHaveBeenCalledWith({ cmd: 'reap-now' });
    await expect(dispatch('server:stop', null)).resolves.toBeNull();
    await expect(dispatch('client:fire', goodFire)).resolves.toMatchObject({ total: 1 });
    await expect(dispatch('timeline:snapshot', null)).resolves.toMatchObject({ nextSeq: 0 });
    expect(sup.subscribers()).toBe(0); // the snapshot's subscription was dropped at once
    await expect(dispatch('process:fds', { pid: 4242 })).resolves.toMatchObject({ pid: 4242, limit: 1024 });
    expect(sup.fds).toHaveBeenCalledWith(4242);
  });

  it('never lets a bad message reach the supervisor', async () => {
    const sup = fakeSupervisor();
    const dispatch = createDispatch(supervisorHandlers(sup));
    await expect(dispatch('server:start', { ...goodConfig, model: 'threads' })).rejects.toBeInstanceOf(BadMessageError);
    await expect(dispatch('server:command', { cmd: 'kill', pid: -1, signal: 9 })).rejects.toBeInstanceOf(BadMessageError);
    await expect(dispatch('eval', '1+1')).rejects.toBeInstanceOf(BadMessageError);
    await expect(dispatch('process:fds', { pid: 1 })).rejects.toBeInstanceOf(BadMessageError);
    await expect(dispatch('process:fds', { pid: 4242, path: '/etc' })).rejects.toBeInstanceOf(BadMessageError);
    for (const fn of [sup.start, sup.command, sup.stop, sup.fire, sup.restart, sup.fds]) expect(vi.mocked(fn)).not.toHaveBeenCalled();
  });
});
