// The WSGI-style gateway over real sockets: environ, start_response, bodies, and every
// contract breach answered with a 500 and an `error` event naming it.
import { afterEach, describe, expect, it } from 'vitest';
import { loadApp } from '../../server-core/app-loader';
import { onNodeHttp } from '../../server-core/gateway/exchange';
import { wsgiGateway, type Environ, type WsgiApp } from '../../server-core/gateway/wsgi';
import type { GatewayInfo } from '../../server-core/http/types';
import { request, startHarness, type Harness } from './connection-harness';

const info: GatewayInfo = { serverName: 'forkscope.test', serverPort: 8888, multiprocess: false, runOnce: false };
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function serveWsgi(app: WsgiApp, gw: GatewayInfo = info): Promise<Harness> {
  h = await startHarness(onNodeHttp(wsgiGateway(app, gw)), { iface: 'wsgi' });
  return h;
}

async function serveSpec(spec: string): Promise<Harness> {
  const app = await loadApp(spec, 'wsgi', info);
  h = await startHarness(app.handler, { iface: 'wsgi' });
  return h;
}

describe('WSGI environ', () => {
  it('has the CGI and wsgi.* variables for a GET', async () => {
    let env: Environ | null = null;
    const s = await serveWsgi((environ, start) => {
      env = environ;
      start('200 OK', []);
      return [];
    });
    await request(s.port, 'GET', '/caf%C3%A9/x%20y?a=1&b=%20', { headers: [['X-Custom-Header', 'v1'], ['Accept', 'text/plain'], ['X-Custom-Header', 'v2'], ['X_Sneaky', 'dropped']] });
    expect(env).toMatchObject({
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '',
      PATH_INFO: '/café/x y',
      QUERY_STRING: 'a=1&b=%20',
      CONTENT_TYPE: '',
      CONTENT_LENGTH: '',
      SERVER_NAME: 'forkscope.test',
      SERVER_PORT: '8888',
      SERVER_PROTOCOL: 'HTTP/1.1',
      HTTP_HOST: '127.0.0.1',
      HTTP_ACCEPT: 'text/plain',
      HTTP_X_CUSTOM_HEADER: 'v1,v2',
      REMOTE_ADDR: '127.0.0.1',
      'wsgi.version': [1, 0],
      'wsgi.url_scheme': 'http',
      'wsgi.multithread': false,
      'wsgi.multiprocess': false,
      'wsgi.run_once': false,
    });
    expect(env!.SERVER_SOFTWARE).toMatch(/^forkscope\/\d+\.\d+\.\d+/);
    expect(env!).not.toHaveProperty('HTTP_X_SNEAKY');
    expect(env!['wsgi.input'].read()).toHaveLength(0);
    expect(typeof env!['wsgi.errors'].write).toBe('function');
  });

  it('gives a POST its body through wsgi.input, synchronously, and CONTENT_TYPE/LENGTH once', async () => {
    const seen: Record<string, unknown> = {};
    const s = await serveWsgi((environ, start) => {
      const input = environ['wsgi.input'];
      Object.assign(seen, {
        type: environ.CONTENT_TYPE,
        length: environ.CONTENT_LENGTH,
        httpType: environ.HTTP_CONTENT_TYPE,
        httpLength: environ.HTTP_CONTENT_LENGTH,
        first: Buffer.from(input.read(5)).toString(),
        line: Buffer.from(input.readline()).toString(),
        rest: Buffer.from(input.read()).toString(),
        after: input.read().length,
      });
      start('200 OK', []);
      return [];
    });
    await request(s.port, 'POST', '/submit?x=1', { headers: [['Content-Type', 'text/plain']], body: 'hello world\nsecond line' });
    expect(seen).toEqual({
      type: 'text/plain',
      length: '23',
      httpType: undefined,
      httpLength: undefined,
      first: 'hello',
      line: ' world\n',
      rest: 'second line',
      after: 0,
    });
  });

  it('reports the length of a chunked body it buffered', async () => {
    let env: Environ | null = null;
    const s = await serveWsgi((environ, start) => {
      env = environ;
      start('200 OK', []);
      return [environ['wsgi.input'].read()];
    });
    const res = await request(s.port, 'POST', '/', { headers: [['Transfer-Encoding', 'chunked']], body: '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n' });
    expect(res.text).toBe('hello world');
    expect(env!.CONTENT_LENGTH).toBe('11');
  });

  it('says multiprocess and run_once as the model does', async () => {
    let env: Environ | null = null;
    const s = await serveWsgi(
      (environ, start) => {
        env = environ;
        start('200 OK', []);
        return [];
      },
      { ...info, multiprocess: true, runOnce: true },
    );
    await request(s.port, 'GET', '/');
    expect(env!['wsgi.multiprocess']).toBe(true);
    expect(env!['wsgi.run_once']).toBe(true);
  });
});

describe('WSGI responses', () => {
  it('sends the status and headers given to start_response, then Date and Server, with a Content-Length for a list', async () => {
    const s = await serveSpec('hello');
    const res = await request(s.port, 'GET', '/hello');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello world from a simple WSGI application!\n');
    expect(res.headers.map(([n]) => n)).toEqual(['Content-Type', 'Content-Length', 'Date', 'Server', 'Connection']);
    expect(res.header('server')).toMatch(/^forkscope\//);
    expect(new Date(res.header('date')!).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('streams a generator chunked, awaits an async app and an async generator, honours write()', async () => {
    const s = await serveSpec('test/fixtures/wsgi-app.mjs');
    const lines = await request(s.port, 'GET', '/lines');
    expect(lines.header('transfer-encoding')).toBe('chunked');
    expect(lines.text).toBe('line 1\nline 2\nline 3\n');
    expect((await request(s.port, 'GET', '/legacy-write')).text).toBe('written, then returned\n');
    expect((await request(s.port, 'GET', '/hello/w%C3%B6rld')).text).toBe('Hello, wörld!\n');
    const form = await request(s.port, 'POST', '/form', { headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'name=Ada' });
    expect([form.status, form.text]).toEqual([201, 'Thanks, Ada!\n']);
    await h!.close();
    h = null;
    const later = await serveSpec('test/fixtures/wsgi-app.mjs:later');
    expect((await request(later.port, 'GET', '/')).text).toBe('later\n');
    await h!.close();
    h = null;
    const ticks = await serveSpec('test/fixtures/wsgi-app.mjs:ticks');
    expect((await request(ticks.port, 'GET', '/')).text).toBe('tick 0\ntick 1\ntick 2\n');
  });

  it('turns wsgi.errors writes into notice events', async () => {
    const s = await serveSpec('test/fixtures/wsgi-app.mjs');
    const res = await request(s.port, 'GET', '/missing');
    expect(res.status).toBe(404);
    await s.settled();
    expect(s.of('notice').map((n) => n.message)).toEqual(['wsgi.errors: [#1] no route for /missing']);
  });

  it('lets start_response with exc_info replace the status before the body', async () => {
    const s = await serveSpec('test/fixtures/bad-contract.mjs:excInfoReplaces');
    const res = await request(s.port, 'GET', '/');
    expect([res.status, res.text]).toEqual([503, 'sorry\n']);
    await s.settled();
    expect(s.of('error')).toEqual([]);
  });
});

describe('WSGI contract breaches → 500 and an error event naming the mistake', () => {
  const cases: [string, RegExp][] = [
    ['startTwice', /start_response\(\) a second time without exc_info/],
    ['bodyBeforeStart', /body data before calling start_response/],
    ['statusWithoutReason', /malformed status '200'/],
    ['statusWithoutCode', /malformed status 'OK'/],
    ['neverStarts', /returned without calling start_response/],
    ['returnsString', /the app returned 'a bare string, not a list'. It must return an iterable/],
    ['headersNotPairs', /bad response headers \(got object instead of a list\)/],
    ['hopByHop', /hop-by-hop header 'Connection'/],
    ['swallowsBreach', /start_response\(\) a second time without exc_info/],
  ];
  for (const [name, message] of cases) {
    it(name, async () => {
      const s = await serveSpec(`test/fixtures/bad-contract.mjs:${name}`);
      const res = await request(s.port, 'GET', '/');
      expect(res.status).toBe(500);
      expect(res.text).toMatch(message);
      await s.settled();
      const errors = s.of('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ conn: 1, code: 'GATEWAY', status: 500 });
      expect(errors[0].message).toMatch(message);
      expect(s.of('response')[0]).toMatchObject({ status: 500 });
      // The server keeps serving.
      const again = await request(s.port, 'GET', '/');
      expect(again.status).toBe(500);
    });
  }

  it('a throwing app gets the client a 500 naming the error and where it was thrown', async () => {
    const s = await serveSpec('test/fixtures/bad-contract.mjs:throws');
    const res = await request(s.port, 'GET', '/');
    expect(res.status).toBe(500);
    await s.settled();
    expect(s.of('error')[0]).toMatchObject({ code: 'APP_ERROR', status: 500 });
    expect(s.of('error')[0].message).toMatch(/^The app failed: Error: the app threw \(at .*bad-contract\.mjs:\d+:\d+\)$/);
  });

  it('an app failing after the headers went out has its connection cut', async () => {
    const s = await serveSpec('test/fixtures/bad-contract.mjs:throwsAfterHeaders');
    const res = await request(s.port, 'GET', '/').catch(() => null);
    // Chunked and never terminated: the client sees the start and then the connection close.
    expect(res?.raw.text ?? '').not.toMatch(/0\r\n\r\n$/);
    await s.settled();
    const err = s.of('error')[0];
    expect(err).toMatchObject({ code: 'APP_ERROR' });
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(/after the response headers were sent.*failed halfway/);
  });
});
