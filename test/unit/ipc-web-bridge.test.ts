// The browser bridge on a real socket: the token is required for the page, its assets and the
// WebSocket; other hosts and origins are refused; a bad message is answered with an error and
// never reaches the supervisor; batches are pushed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebServer, type WebServer } from '../../src-main/web/server';
import { fakeSupervisor, goodConfig, type FakeSupervisor } from './ipc-fakes';

const TOKEN = 'test-token-0123456789abcdef';

function rendererDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>forkscope</title><script type="module" src="./assets/app.js"></script>');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  return dir;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with it when open, or with the HTTP status it was refused with. */
function connect(port: number, query: string, headers: Record<string, string> = {}, path = '/ws'): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** The next message `pred` accepts (by default any but the clock push every socket opens with). */
function nextMessage(ws: WebSocket, pred: (m: any) => boolean = (m) => m.push !== 'clock'): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), 5_000);
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(data.toString());
      if (!pred(msg)) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(msg);
    };
    ws.on('message', onMessage);
  });
}

describe('browser bridge', () => {
  let sup: FakeSupervisor;
  let server: WebServer;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    sup = fakeSupervisor();
    server = await startWebServer({ supervisor: sup, rendererDir: rendererDir(), token: TOKEN, port: 0 });
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await server.close();
  });

  async function open(query = `?token=${TOKEN}`, headers: Record<string, string> = {}): Promise<WebSocket> {
    const ws = await connect(server.port, query, headers);
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    sockets.push(ws);
    return ws;
  }

  it('prints an address on 127.0.0.1 with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('refuses the page and its assets without the token', async () => {
    expect((await get(server.port, '/')).status).toBe(403);
    expect((await get(server.port, '/?token=wrong')).status).toBe(403);
    expect((await get(server.port, `/?token=${TOKEN}x`)).status).toBe(403);
    expect((await get(server.port, '/assets/app.js')).status).toBe(403);
    expect((await get(server.port, '/')).body).toMatch(/token/);
  });

  it('serves the page with the token, with a CSP, and sets a cookie for its assets', async () => {
    const page = await get(server.port, `/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>forkscope</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await get(server.port, '/assets/app.js', { cookie: cookie.split(';')[0] });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect((await get(server.port, '/assets/app.js', { cookie: `forkscope_token_${server.port}=nope` })).status).toBe(403);
    expect((await get(server.port, `/../../etc/passwd?token=${TOKEN}`)).status).toBe(404);
    expect((await get(server.port, `/?token=${TOKEN}`, {}, 'POST')).status).toBe(405);
  });

  it('refuses other hosts (DNS rebinding) and other origins even with the token', async () => {
    expect((await get(server.port, `/?token=${TOKEN}`, { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, `/?token=${TOKEN}`, { host: '127.0.0.1:1' })).status).toBe(403);
    expect((await get(server.port, `/?token=${TOKEN}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(server.port, `/?token=${TOKEN}`, { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses a WebSocket without the right token, host or origin', async () => {
    expect(await connect(server.port, '')).toBe(403);
    expect(await connect(server.port, '?token=wrong')).toBe(403);
    expect(await connect(server.port, `?token=${TOKEN}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await connect(server.port, `?token=${TOKEN}`, { host: `evil.example:${server.port}` })).toBe(403);
    expect(await connect(server.port, `?token=${TOKEN}`, {}, '/other')).toBe(404);
    expect(sup.subscribers()).toBe(0);
    const ws = await open(`?token=${TOKEN}`, { origin: `http://127.0.0.1:${server.port}` });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const viaCookie = await open('', { cookie: `forkscope_token_${server.port}=${TOKEN}` });
    expect(viaCookie.readyState).toBe(WebSocket.OPEN);
  });

  it('answers a valid request by id', async () => {
    const ws = await open();
    ws.send(JSON.stringify({ id: 7, channel: 'server:start', arg: goodConfig }));
    expect(await nextMessage(ws, (m) => m.id === 7)).toMatchObject({ id: 7, result: { running: true } });
    expect(sup.start).toHaveBeenCalledWith(goodConfig);
    ws.send(JSON.stringify({ id: 8, channel: 'timeline:snapshot', arg: null }));
    expect(await nextMessage(ws, (m) => m.id === 8)).toMatchObject({ id: 8, result: { nextSeq: 0, events: [] } });
  });

  it('rejects bad messages with an error and never calls the supervisor', async () => {
    const ws = await open();
    ws.send('not json');
    expect(await nextMessage(ws)).toEqual({ id: -1, error: expect.stringMatching(/not a JSON/) });
    ws.send(JSON.stringify({ id: 1, channel: 'server:start', arg: { ...goodConfig, model: 'threads' } }));
    expect(await nextMessage(ws)).toEqual({ id: 1, error: expect.stringMatching(/^bad server:start message: model/) });
    ws.send(JSON.stringify({ id: 2, channel: 'shell:exec', arg: 'rm -rf /' }));
    expect(await nextMessage(ws)).toEqual({ id: 2, error: expect.stringMatching(/unknown channel/) });
    ws.send(JSON.stringify({ id: 3, channel: 'server:command', arg: { cmd: 'kill', pid: 1, signal: 9 }, extra: true }));
    expect(await nextMessage(ws)).toMatchObject({ id: 3, error: expect.stringMatching(/bad message/) });
    ws.send(JSON.stringify({ id: 'x', channel: 'server:stop', arg: null }));
    expect(await nextMessage(ws)).toMatchObject({ id: -1, error: expect.stringMatching(/bad message: id/) });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await nextMessage(ws)).toEqual({ id: -1, error: expect.stringMatching(/not a JSON/) });
    for (const fn of [sup.start, sup.stop, sup.command, sup.fire, sup.restart]) expect(vi.mocked(fn)).not.toHaveBeenCalled();
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('reports a supervisor failure as an error reply', async () => {
    vi.mocked(sup.start).mockRejectedValueOnce(new Error('port 8888 is already in use'));
    const ws = await open();
    ws.send(JSON.stringify({ id: 4, channel: 'server:start', arg: goodConfig }));
    expect(await nextMessage(ws)).toEqual({ id: 4, error: 'port 8888 is already in use' });
  });

  it('tells each page first where the supervisor clock starts (monotonic ns and wall ms)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    const first = new Promise<any>((resolve) => ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
    sockets.push(ws);
    const msg = await first;
    expect(msg).toEqual({ push: 'clock', origin: expect.stringMatching(/^\d+$/), wallMs: expect.any(Number) });
    // t = 0 lies in the past of both clocks.
    expect(BigInt(msg.origin)).toBeLessThanOrEqual(process.hrtime.bigint());
    expect(msg.wallMs).toBeLessThanOrEqual(Date.now());
    expect(msg.wallMs).toBeGreaterThan(Date.now() - 24 * 3600 * 1000);
  });

  it('pushes batches to each page and unsubscribes when it closes', async () => {
    const ws = await open();
    await vi.waitFor(() => expect(sup.subscribers()).toBe(1));
    const pushed = nextMessage(ws, (m) => m.push === 'timeline:batch');
    sup.emit({ seq: 5, events: [{ type: 'sigchld', t: 1, pid: 10, n: 1 }] });
    expect(await pushed).toEqual({ push: 'timeline:batch', batch: { seq: 5, events: [{ type: 'sigchld', t: 1, pid: 10, n: 1 }] } });
    ws.close();
    await vi.waitFor(() => expect(sup.subscribers()).toBe(0));
  });
});
