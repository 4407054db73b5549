// Acceptance 3: the environ the WSGI gateway builds, seen by the built-in echo app through the
// real `forkscope serve`, for a GET and for a POST with a query string, a custom header and a body.
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/raw-http';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

type Echo = { environ: Record<string, unknown>; input: string };

const KEYS = [
  'REQUEST_METHOD', 'SCRIPT_NAME', 'PATH_INFO', 'QUERY_STRING', 'CONTENT_TYPE', 'CONTENT_LENGTH',
  'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL',
  'wsgi.version', 'wsgi.url_scheme', 'wsgi.input', 'wsgi.errors', 'wsgi.multithread', 'wsgi.multiprocess', 'wsgi.run_once',
];

async function echo(run: ServerRun, method: string, target: string, headers: [string, string][] = [], body?: string): Promise<Echo> {
  const res = await request(run.port, method, target, { headers, body });
  expect(res.status).toBe(200);
  expect(res.header('server')).toMatch(/^forkscope\/\d/);
  expect(res.header('date')).toMatch(/GMT$/);
  return JSON.parse(res.text) as Echo;
}

describe.each([
  { model: 'iterative', multiprocess: false, runOnce: false },
  { model: 'fork', multiprocess: true, runOnce: true },
])('environ with --model $model', ({ model, multiprocess, runOnce }) => {
  let run: ServerRun;

  it('a GET has every key, with the right values', async () => {
    run = await startServer(['echo', '--model', model, '--port', '0']);
    const { environ, input } = await echo(run, 'GET', '/hello/w%C3%B6rld');
    for (const key of KEYS) expect(environ, key).toHaveProperty([key]);
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '',
      PATH_INFO: '/hello/wörld',
      QUERY_STRING: '',
      CONTENT_TYPE: '',
      CONTENT_LENGTH: '',
      SERVER_NAME: 'localhost',
      SERVER_PORT: String(run.port),
      SERVER_PROTOCOL: 'HTTP/1.1',
      HTTP_HOST: '127.0.0.1',
      'wsgi.version': [1, 0],
      'wsgi.url_scheme': 'http',
      'wsgi.input': '<wsgi.input: 0 bytes>',
      'wsgi.errors': '<wsgi.errors>',
      'wsgi.multithread': false,
      'wsgi.multiprocess': multiprocess,
      'wsgi.run_once': runOnce,
    });
    expect(input).toBe('');
  });

  it('a POST with a query string, a custom header and a body has every key, with the right values', async () => {
    const body = 'name=Ada&lang=en';
    const { environ, input } = await echo(
      run,
      'POST',
      '/echo/form?x=1&y=two%20words',
      [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['X-Custom-Header', 'forkscope test'],
      ],
      body,
    );
    for (const key of KEYS) expect(environ, key).toHaveProperty([key]);
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'POST',
      SCRIPT_NAME: '',
      PATH_INFO: '/echo/form',
      QUERY_STRING: 'x=1&y=two%20words',
      CONTENT_TYPE: 'application/x-www-form-urlencoded',
      CONTENT_LENGTH: String(body.length),
      SERVER_NAME: 'localhost',
      SERVER_PORT: String(run.port),
      SERVER_PROTOCOL: 'HTTP/1.1',
      HTTP_HOST: '127.0.0.1',
      HTTP_X_CUSTOM_HEADER: 'forkscope test',
      'wsgi.input': `<wsgi.input: ${body.length} bytes>`,
      'wsgi.multiprocess': multiprocess,
      'wsgi.run_once': runOnce,
    });
    // Content type and length appear once, as CGI variables, not again as HTTP_*.
    expect(environ).not.toHaveProperty(['HTTP_CONTENT_TYPE']);
    expect(environ).not.toHaveProperty(['HTTP_CONTENT_LENGTH']);
    // The app read the body through wsgi.input.
    expect(input).toBe(body);
    const { code } = await run.stop();
    expect(code).toBe(0);
  });
});
