// Acceptance 4: real frameworks, unchanged, behind the gateway of the real `forkscope serve`:
// a Hono app (Fetch style) and an Express app (Node style, CommonJS) answer their routes.
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/raw-http';
import { killAllServers, startServer } from '../helpers/server';

afterAll(() => killAllServers());

/** Events in the order they happened: in the fork model each worker's lines are relayed by the master, in the order it reads their pipes. */
const byTime = <T extends { t: number }>(events: T[]): T[] => [...events].sort((a, b) => a.t - b.t);

describe.each(['iterative', 'fork'])('with --model %s', (model) => {
  it('Hono (--interface fetch) answers a text route, a param route and a JSON POST', async () => {
    const run = await startServer(['test/fixtures/hono-app.mjs', '--interface', 'fetch', '--model', model, '--port', '0']);
    const root = await request(run.port, 'GET', '/');
    expect([root.status, root.text, root.header('content-type')]).toEqual([200, 'Hono says hello\n', 'text/plain;charset=UTF-8']);
    const user = await request(run.port, 'GET', '/users/42?q=find');
    expect(user.status).toBe(200);
    expect(JSON.parse(user.text)).toEqual({ id: '42', via: 'hono', q: 'find' });
    const created = await request(run.port, 'POST', '/users', { headers: [['Content-Type', 'application/json']], body: '{"id":7,"name":"Ada"}' });
    expect(created.status).toBe(201);
    expect(created.header('location')).toBe('/users/7');
    expect(JSON.parse(created.text)).toEqual({ created: { id: 7, name: 'Ada' }, via: 'hono' });
    expect((await request(run.port, 'GET', '/no-such-route')).status).toBe(404);
    await run.waitForCount('response', 4);
    expect(byTime(run.of('request')).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /', 'GET /users/42?q=find', 'POST /users', 'GET /no-such-route']);
    expect(byTime(run.of('response')).map((r) => r.status)).toEqual([200, 200, 201, 404]);
    expect(run.of('error')).toEqual([]);
    expect((await run.stop()).code).toBe(0);
  });

  it('Express (--interface node, CommonJS) answers a text route, a param route and a JSON POST', async () => {
    const run = await startServer(['test/fixtures/express-app.cjs', '--interface', 'node', '--model', model, '--port', '0']);
    const root = await request(run.port, 'GET', '/');
    expect([root.status, root.text]).toEqual([200, 'Express says hello\n']);
    expect(root.header('x-powered-by')).toBe('Express');
    const item = await request(run.port, 'GET', '/items/abc?q=1');
    expect(JSON.parse(item.text)).toEqual({ id: 'abc', via: 'express', q: '1', ip: '127.0.0.1' });
    const created = await request(run.port, 'POST', '/items', { headers: [['Content-Type', 'application/json']], body: '{"id":"x1"}' });
    expect(created.status).toBe(201);
    expect(JSON.parse(created.text)).toEqual({ created: { id: 'x1' }, via: 'express' });
    // Express answers its own route errors (500); the server goes on.
    expect((await request(run.port, 'GET', '/boom')).status).toBe(500);
    expect((await request(run.port, 'GET', '/')).status).toBe(200);
    await run.waitForCount('response', 5);
    expect(byTime(run.of('response')).map((r) => r.status)).toEqual([200, 200, 201, 500, 200]);
    expect((await run.stop()).code).toBe(0);
  });
});

it('takes a dotted callable: hono-app.mjs:default.fetch', async () => {
  const run = await startServer(['test/fixtures/hono-app.mjs:default.fetch', '--interface', 'fetch', '--model', 'iterative', '--port', '0']);
  expect((await request(run.port, 'GET', '/users/9')).text).toBe('{"id":"9","via":"hono","q":null}');
  expect((await run.stop()).code).toBe(0);
});
