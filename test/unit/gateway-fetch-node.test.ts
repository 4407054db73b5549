// The Fetch-style and Node-style gateways over real sockets, with real frameworks (Hono, Express).
import { afterEach, describe, expect, it } from 'vitest';
import { loadApp } from '../../server-core/app-loader';
import type { Interface } from '../../server-core/events';
import type { GatewayInfo } from '../../server-core/http/types';
import { request, startHarness, type Harness } from './connection-harness';

const info: GatewayInfo = { serverName: '127.0.0.1', serverPort: 8888, multiprocess: false, runOnce: false };
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function serve(spec: string, iface: Interface): Promise<Harness> {
  const app = await loadApp(spec, iface, info);
  h = await startHarness(app.handler, { iface });
  return h;
}

describe('Fetch-style gateway', () => {
  it('runs a Hono app unchanged: text, a param route, a JSON POST', async () => {
    const s = await serve('test/fixtures/hono-app.mjs', 'fetch');
    const root = await request(s.port, 'GET', '/');
    expect([root.status, root.text]).toEqual([200, 'Hono says hello\n']);
    expect(root.header('content-length')).toBe('16');
    expect(root.header('server')).toMatch(/^forkscope\//);
    const user = await request(s.port, 'GET', '/users/42?q=x');
    expect(user.status).toBe(200);
    expect(JSON.parse(user.text)).toEqual({ id: '42', via: 'hono', q: 'x' });
    const created = await request(s.port, 'POST', '/users', { headers: [['Content-Type', 'application/json']], body: '{"id":7,"name":"Ada"}' });
    expect(created.status).toBe(201);
    expect(created.header('location')).toBe('/users/7');
    expect(JSON.parse(created.text)).toEqual({ created: { id: 7, name: 'Ada' }, via: 'hono' });
    const missing = await request(s.port, 'GET', '/nope');
    expect(missing.status).toBe(404);
  });

  it('also takes the dotted callable default.fetch', async () => {
    const s = await serve('test/fixtures/hono-app.mjs:default.fetch', 'fetch');
    expect((await request(s.port, 'GET', '/')).text).toBe('Hono says hello\n');
  });

  it('streams a streaming Response chunked', async () => {
    const s = await serve('stream', 'fetch');
    const res = await request(s.port, 'GET', '/?bytes=10000&chunk=1000');
    expect(res.header('transfer-encoding')).toBe('chunked');
    expect(res.body).toHaveLength(10000);
    await s.settled();
    expect(s.of('response')[0]).toMatchObject({ status: 200, bytes: 10000 });
  });

  it('answers a handler that returns no Response with a 500 naming the mistake', async () => {
    const s = await serve('test/fixtures/bad-contract.mjs:fetchNotResponse', 'fetch');
    const res = await request(s.port, 'GET', '/');
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/Fetch contract broken: the handler returned an object \(Object\)\. It must return a Response/);
    await s.settled();
    expect(s.of('error')[0]).toMatchObject({ code: 'GATEWAY', status: 500 });
  });
});

describe('Node-style gateway', () => {
  it('runs an Express app (CommonJS) unchanged', async () => {
    const s = await serve('test/fixtures/express-app.cjs', 'node');
    const root = await request(s.port, 'GET', '/');
    expect([root.status, root.text]).toEqual([200, 'Express says hello\n']);
    expect(root.header('x-powered-by')).toBe('Express');
    expect(root.header('server')).toMatch(/^forkscope\//);
    const item = await request(s.port, 'GET', '/items/abc?q=1');
    expect(JSON.parse(item.text)).toEqual({ id: 'abc', via: 'express', q: '1', ip: '127.0.0.1' });
    const created = await request(s.port, 'POST', '/items', { headers: [['Content-Type', 'application/json']], body: '{"id":"x1"}' });
    expect(created.status).toBe(201);
    expect(created.header('location')).toBe('/items/x1');
    expect(JSON.parse(created.text)).toEqual({ created: { id: 'x1' }, via: 'express' });
    // Express answers its own route errors with a 500; the server keeps going.
    expect((await request(s.port, 'GET', '/boom')).status).toBe(500);
    expect((await request(s.port, 'GET', '/')).status).toBe(200);
  });

  it('a throwing (req, res) handler gets the client a 500 and an error event', async () => {
    const s = await serve('crash', 'node');
    const res = await request(s.port, 'GET', '/');
    expect(res.status).toBe(500);
    await s.settled();
    expect(s.of('error')[0]).toMatchObject({ code: 'APP_ERROR', status: 500 });
    expect(s.of('error')[0].message).toMatch(/crash: this built-in app always throws/);
  });
});

describe('built-in apps in every style', () => {
  for (const iface of ['wsgi', 'fetch', 'node'] as const) {
    it(`hello, slow, echo, stream, crash with --interface ${iface}`, async () => {
      let s = await serve('hello', iface);
      const hello = await request(s.port, 'GET', '/hello');
      expect([hello.status, hello.text, hello.header('content-type'), hello.header('content-length')]).toEqual([
        200,
        'Hello world from a simple WSGI application!\n',
        'text/plain',
        '44',
      ]);
      await h!.close();

      s = await serve('slow', iface);
      const t0 = Date.now();
      const slow = await request(s.port, 'GET', '/slow?ms=150');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      expect(slow.text).toBe('Hello world from a simple WSGI application!\n');
      await h!.close();

      s = await serve('echo', iface);
      const echo = await request(s.port, 'POST', '/echo?a=1', { headers: [['X-Custom', 'yes']], body: 'ping' });
      const json = JSON.parse(echo.text) as { input: string; environ?: Record<string, unknown>; request?: { method: string } };
      expect(json.input).toBe('ping');
      if (iface === 'wsgi') expect(json.environ).toMatchObject({ QUERY_STRING: 'a=1', HTTP_X_CUSTOM: 'yes', 'wsgi.input': '<wsgi.input: 4 bytes>' });
      else expect(json.request?.method).toBe('POST');
      await h!.close();

      s = await serve('stream', iface);
      const stream = await request(s.port, 'GET', '/?bytes=5000');
      expect(stream.body).toHaveLength(5000);
      expect(stream.body.subarray(0, 18).toString()).toBe('forkscope stream: ');
      await h!.close();

      s = await serve('crash', iface);
      expect((await request(s.port, 'GET', '/')).status).toBe(500);
    });
  }
});
