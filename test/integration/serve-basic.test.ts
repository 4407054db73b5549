// Acceptance 1 (issue 2): `forkscope serve hello --port 0 --json` answers GET /hello with the
// seed's text, and the connection's events come in the order the seed's loop runs.
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { ForkscopeEvent } from '../../server-core/events';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

function get(port: number, path: string): Promise<{ status: number; body: string; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, localPort }));
    });
    let localPort = 0;
    req.on('socket', (s) => s.on('connect', () => (localPort = s.localPort ?? 0)));
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** The events of one connection, by conn id, in the order they were emitted. */
function connEvents(run: ServerRun, conn: number): ForkscopeEvent[] {
  return run.events.filter((e) => 'conn' in e && e.conn === conn);
}

describe('forkscope serve hello (default model)', () => {
  it('answers GET /hello with 200 and the seed text; listening, accept, request, response, close come in order', async () => {
    const run = await startServer(['hello', '--port', '0']);
    const res = await get(run.port, '/hello');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Hello world from a simple WSGI application!');
    const accept = await run.waitFor('accept', (e) => e.peer.port === res.localPort);
    await run.waitFor('close', (e) => e.conn === accept.conn);
    const lesson = new Set(['listening', 'accept', 'request', 'response', 'close']);
    const order = run.events.filter((e) => lesson.has(e.type) && (e.type === 'listening' || ('conn' in e && e.conn === accept.conn))).map((e) => e.type);
    // Other models add their own events in between (fork, reap…); these five keep the seed's order.
    expect(order.filter((t, i) => t !== order[i - 1])).toEqual(['listening', 'accept', 'request', 'response', 'close']);
    expect((await run.stop()).code).toBe(0);
  });
});

describe('forkscope serve hello --model iterative', () => {
  let run: ServerRun;

  it('answers GET /hello with 200 and the seed text; events: listening, accept, request, response, close', async () => {
    run = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    const listening = run.events[0];
    expect(listening.type).toBe('listening');
    if (listening.type !== 'listening') return;
    expect(listening).toMatchObject({ host: '127.0.0.1', backlog: 5, model: 'iterative', app: 'hello', pid: run.pid });
    expect(listening.port).toBeGreaterThan(0);
    expect(BigInt(listening.origin)).toBeGreaterThan(0n);

    const res = await get(run.port, '/hello');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Hello world from a simple WSGI application!');

    // peer.port lets a client find its own connection.
    const accept = await run.waitFor('accept', (e) => e.peer.port === res.localPort);
    expect(accept.peer.address).toBe('127.0.0.1');
    await run.waitFor('close', (e) => e.conn === accept.conn);
    const order = connEvents(run, accept.conn)
      .map((e) => e.type)
      .filter((t) => t !== 'transcript');
    expect(order).toEqual(['accept', 'request', 'response', 'close']);
    const request = run.of('request').find((e) => e.conn === accept.conn)!;
    expect(request).toMatchObject({ method: 'GET', path: '/hello' });
    expect(request.version).toMatch(/1\.1$/);
    const response = run.of('response').find((e) => e.conn === accept.conn)!;
    expect(response.status).toBe(200);
    // `t` is monotonic on one clock, and every event names the master's pid.
    const ts = run.events.map((e) => e.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(run.events.every((e) => e.pid === run.pid)).toBe(true);
    expect(run.events.indexOf(listening)).toBe(0);
  });

  it('serves connections one after another, each with its own conn id', async () => {
    const a = await get(run.port, '/hello');
    const b = await get(run.port, '/hello');
    expect([a.status, b.status]).toEqual([200, 200]);
    const ea = await run.waitFor('accept', (e) => e.peer.port === a.localPort);
    const eb = await run.waitFor('accept', (e) => e.peer.port === b.localPort);
    expect(eb.conn).toBeGreaterThan(ea.conn);
    await run.waitFor('close', (e) => e.conn === eb.conn);
  });

  it('answers a bad stdin command with an error event and keeps serving', async () => {
    run.send({ cmd: 'nope' } as never);
    run.proc.stdin!.write('this is not json\n');
    await run.waitForCount('error', 2);
    const errors = run.of('error').filter((e) => e.code === 'BAD_COMMAND');
    expect(errors).toHaveLength(2);
    expect(errors[0].message).toMatch(/bad command/);
    // A command meant for worker processes gets a plain-words notice in this model.
    run.send({ cmd: 'reap-now' });
    await run.waitFor('notice', (e) => e.code === 'NO_WORKERS');
    expect((await get(run.port, '/hello')).status).toBe(200);
  });

  it('stops on the stop command with exit 0', async () => {
    run.send({ cmd: 'stop' });
    await run.waitFor('stopped');
    const { code } = await run.stop();
    expect(code).toBe(0);
    expect(run.of('stopping')[0].reason).toMatch(/stop/);
    expect(run.events.at(-1)).toMatchObject({ type: 'stopped', code: 0 });
  });
});
