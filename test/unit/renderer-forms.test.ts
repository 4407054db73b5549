// The server and client forms → RunConfig and FireOptions: a burst exactly when
// clients × connections > 1; bad numbers get a plain message.
import { describe, expect, it } from 'vitest';
import { burstSize, defaultClientForm, defaultServerForm, parseHeaders, rawBytes, targetUrl, toFireOptions, toRunConfig } from '../../src-renderer/store/forms';

describe('server form', () => {
  it('maps onto RunConfig with the seed’s defaults', () => {
    const cfg = toRunConfig(defaultServerForm());
    expect(cfg).toEqual({
      ok: true,
      value: expect.objectContaining({ model: 'fork', reap: 'loop', app: 'hello', port: 8888, backlog: 5, parentKeepsConn: false, nofile: undefined }),
    });
  });

  it('takes presets from the page address', () => {
    const f = defaultServerForm(new URLSearchParams('port=0&model=iterative&reap=none&app=slow&backlog=2&model2=x'));
    expect(f).toMatchObject({ port: '0', model: 'iterative', reap: 'none', appChoice: 'slow', backlog: '2' });
    expect(defaultServerForm(new URLSearchParams('model=bogus&port=-1')).model).toBe('fork');
    expect(defaultServerForm(new URLSearchParams('app=./x.mjs:default'))).toMatchObject({ appChoice: 'custom', customApp: './x.mjs:default' });
  });

  it('answers bad numbers and a missing app in plain words', () => {
    expect(toRunConfig({ ...defaultServerForm(), port: '70000' })).toEqual({ ok: false, error: 'Port: between 0 and 65535' });
    expect(toRunConfig({ ...defaultServerForm(), backlog: 'x' })).toEqual({ ok: false, error: 'Backlog: a whole number, please' });
    expect(toRunConfig({ ...defaultServerForm(), appChoice: 'custom', customApp: ' ' }).ok).toBe(false);
    expect(toRunConfig({ ...defaultServerForm(), nofile: '64' })).toMatchObject({ ok: true, value: { nofile: 64 } });
  });

  it('sends the safety limits only when set', () => {
    const plain = toRunConfig(defaultServerForm());
    expect(plain.ok && 'maxZombies' in plain.value).toBe(false);
    expect(toRunConfig({ ...defaultServerForm(), maxZombies: '50', readTimeoutS: '2' })).toMatchObject({ ok: true, value: { maxZombies: 50, readTimeoutS: 2 } });
    expect(toRunConfig({ ...defaultServerForm(), workerTimeoutS: '0' })).toEqual({ ok: false, error: 'Worker timeout (s): between 1 and 86400' });
  });

  it('sends --worker-connections for a prefork pool only, and the request deadline when set', () => {
    const fork = toRunConfig({ ...defaultServerForm(), workerConnections: '8' });
    expect(fork.ok && 'workerConnections' in fork.value).toBe(false);
    expect(toRunConfig({ ...defaultServerForm(), model: 'prefork', workerConnections: '8' })).toMatchObject({ ok: true, value: { workerConnections: 8 } });
    expect(toRunConfig({ ...defaultServerForm(), model: 'prefork' })).toMatchObject({ ok: true, value: { workerConnections: 1 } });
    expect(toRunConfig({ ...defaultServerForm(), model: 'prefork', workerConnections: '0' }).ok).toBe(false);
    expect(toRunConfig({ ...defaultServerForm(), bodyTimeoutS: '30' })).toMatchObject({ ok: true, value: { bodyTimeoutS: 30 } });
    expect(defaultServerForm(new URLSearchParams('workerConnections=4&bodyTimeoutS=9'))).toMatchObject({ workerConnections: '4', bodyTimeoutS: '9' });
  });
});

describe('client form', () => {
  const target = { host: '127.0.0.1', port: 4321 };

  it('fires one request at 1 × 1 and a burst above that', () => {
    const single = toFireOptions(defaultClientForm(), target);
    expect(single).toMatchObject({ ok: true, value: { mode: 'single', url: 'http://127.0.0.1:4321/hello', method: 'GET', clients: 1, conns: 1 } });
    const burst = toFireOptions({ ...defaultClientForm(), clients: '10' }, target);
    expect(burst).toMatchObject({ ok: true, value: { mode: 'burst', clients: 10, conns: 1 } });
    const burst2 = toFireOptions({ ...defaultClientForm(), clients: '2', conns: '5' }, target);
    expect(burst2).toMatchObject({ ok: true, value: { mode: 'burst', clients: 2, conns: 5 } });
    expect(burstSize({ ...defaultClientForm(), clients: 'abc', conns: '0' })).toEqual({ clients: 1, conns: 1, total: 1 });
  });

  it('sends headers and a body, and raw bytes with CRLF line ends', () => {
    const post = toFireOptions({ ...defaultClientForm(), method: 'post', headers: 'X-A: 1\nContent-Type: text/plain', body: 'hi' }, target);
    expect(post).toMatchObject({ ok: true, value: { method: 'POST', headers: [['X-A', '1'], ['Content-Type', 'text/plain']], body: 'hi' } });
    expect(parseHeaders('no colon here')).toEqual({ ok: false, error: 'Header “no colon here”: write Name: value' });
    expect(rawBytes('GET / HTTP/1.1\nHost: a\n\n')).toBe('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(rawBytes('A\\x00B')).toBe('A\u0000B');
    const raw = toFireOptions({ ...defaultClientForm(), kind: 'raw', raw: 'BAD\n\n' }, target);
    expect(raw.ok && atob(raw.value.rawBase64!)).toBe('BAD\r\n\r\n');
    expect(raw.ok && raw.value.mode).toBe('raw');
  });

  it('builds slow and hold modes', () => {
    expect(toFireOptions({ ...defaultClientForm(), kind: 'slow', slowMs: '50', sendNothing: true }, target)).toMatchObject({
      ok: true,
      value: { mode: 'slow', slowMs: 50, sendNothing: true },
    });
    const hold = toFireOptions({ ...defaultClientForm(), kind: 'hold', holdS: '3' }, target);
    expect(hold).toMatchObject({ ok: true, value: { mode: 'hold', holdS: 3 } });
    expect(hold.ok && hold.value.sendNothing).toBeFalsy(); // a request is sent, then the connection held
    // Connect, say nothing, hang up after 1 s (the tutorial's client3.py hanging up, lesson "signals are not queued").
    expect(toFireOptions({ ...defaultClientForm(), kind: 'hold', holdS: '1', sendNothing: true }, target)).toMatchObject({ ok: true, value: { mode: 'hold', holdS: 1, sendNothing: true } });
    expect(toFireOptions({ ...defaultClientForm(), kind: 'slow', slowMs: '0' }, target).ok).toBe(false);
  });

  it('targets loopback for a wildcard host', () => {
    expect(targetUrl('0.0.0.0', 80, 'x')).toBe('http://127.0.0.1:80/x');
    expect(targetUrl('::1', 80, '/')).toBe('http://[::1]:80/');
  });
});
