// Issue 16, items 6, 8, 10 and 16: lessons that used to stop half-way.
import { afterAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../server-core/events';
import { sleep, timedGet } from '../helpers/hostile';
import { burst } from '../helpers/raw-get';
import { rawRequest } from '../helpers/raw-http';
import { cli, killAllServers, root, runCli, startServer } from '../helpers/server';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

afterAll(() => killAllServers());

describe('item 6: SIGCHLD interrupts the master while it waits (EINTR), and the wait is re-issued', () => {
  it('--reap wait, a burst of 10: at least one eintr event, each followed by the restarted wait', async () => {
    const run = await startServer(['hello', '--model', 'fork', '--reap', 'wait', '--backlog', '64', '--port', '0']);
    const responses = await burst(run.port, '/hello', 10, 10);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
    await run.waitForCount('exit', 10, 10_000);
    await expect.poll(() => run.of('eintr').length, { timeout: 10_000 }).toBeGreaterThan(0);
    await sleep(300);
    const eintr = run.of('eintr');
    expect(eintr[0].call).toMatch(/poll/);
    // Said with what happened next: the call was issued again.
    expect(eintr.every((e) => e.restarted === true)).toBe(true);
    await run.stop();
  });
});

describe('item 8: --worker-connections (prefork)', () => {
  it('the default, 1, serves one connection at a time per worker, as sync workers do: the rest wait in the accept queue', async () => {
    const run = await startServer(['slow', '--model', 'prefork', '--workers', '2', '--backlog', '64', '--port', '0']);
    await run.waitForCount('worker-ready', 2);
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: 6 }, () => timedGet(run.port, '/?ms=400', 10_000)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    // 6 requests of 400 ms on 2 workers, one at a time each: three rounds.
    expect(performance.now() - t0).toBeGreaterThan(1_100);
    // Never more than 2 requests in the app at once.
    let inApp = 0;
    let most = 0;
    for (const e of run.events) {
      if (e.type === 'request') most = Math.max(most, ++inApp);
      if (e.type === 'response') inApp--;
    }
    expect(most).toBe(2);
    expect(run.of('queue').some((q) => q.length > 0)).toBe(true);
    await run.stop();
  });

  it('with --keep-alive, a one-at-a-time worker closes after each answer, and a notice says so once', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '2', '--keep-alive', '--port', '0']);
    await run.waitForCount('worker-ready', 2);
    const ex = await rawRequest(run.port, ['GET /hello HTTP/1.1\r\nHost: a\r\n\r\n'], { timeoutMs: 3_000 });
    expect(ex.text).toMatch(/Connection: close/);
    const notices = run.of('notice').filter((n) => n.code === 'ONE_CONNECTION_AT_A_TIME');
    expect(notices).toHaveLength(1);
    expect(notices[0].message).toMatch(/--worker-connections/);
    await run.stop();
  });

  it('--worker-connections 4 keeps connections open with --keep-alive', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '1', '--worker-connections', '4', '--keep-alive', '--port', '0']);
    await run.waitForCount('worker-ready', 1);
    const ex = await rawRequest(run.port, ['GET /hello HTTP/1.1\r\nHost: a\r\n\r\n', 'GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'], { timeoutMs: 3_000, gapMs: 100 });
    expect(ex.text.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(ex.text).toMatch(/Connection: keep-alive/);
    expect(run.of('notice').filter((n) => n.code === 'ONE_CONNECTION_AT_A_TIME')).toEqual([]);
    await run.stop();
  });

  it('--worker-connections is refused for the other models', async () => {
    const run = await startServer(['hello', '--model', 'fork', '--worker-connections', '4', '--port', '0']);
    expect(run.of('notice').some((n) => n.code === 'UNUSED_OPTION' && /--worker-connections/.test(n.message))).toBe(true);
    await run.stop();
  });
});

describe('item 10: --calls narrates the system calls the server really makes', () => {
  it('the iterative model, human log: socket, bind, listen, accept4, recv, send, close, strace-style', async () => {
    const proc = spawn(process.execPath, [cli, 'serve', 'hello', '--model', 'iterative', '--port', '0', '--calls'], { cwd: root, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const deadline = Date.now() + 10_000;
    while (!/Serving HTTP on http:\/\/127\.0\.0\.1:(\d+)/.test(out) && Date.now() < deadline) await sleep(20);
    const port = Number(/Serving HTTP on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    expect((await timedGet(port, '/hello')).status).toBe(200);
    await sleep(300);
    process.kill(-proc.pid!, 'SIGTERM');
    await once(proc, 'exit');
    const lines = out.split('\n');
    const find = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const order = [
      find(/socket\(AF_INET, SOCK_STREAM.*\) = \d+/),
      find(/bind\(\d+, 127\.0\.0\.1:\d+, \d+\) = 0/),
      find(/listen\(\d+, 5\) = 0/),
      find(/accept4\(\d+, .*\) = \d+/),
      find(/recv\(\d+, .*\) = \d+/),
      find(/send\(\d+, .*\) = \d+/),
      find(/close\(\d+\) = 0/),
    ];
    expect(order.every((i) => i >= 0), `${JSON.stringify(order)}\n${out}`).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('--json: call events; without --calls: none', async () => {
    const on = await startServer(['hello', '--model', 'iterative', '--port', '0', '--calls']);
    await timedGet(on.port, '/hello');
    await on.waitFor('call', (e) => (e as EventOf<'call'>).call === 'close');
    const calls = on.of('call').map((e) => e.call);
    expect(calls).toEqual(expect.arrayContaining(['accept4', 'recv', 'send', 'close']));
    await on.stop();
    const off = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    await timedGet(off.port, '/hello');
    await off.waitFor('close');
    expect(off.of('call')).toEqual([]);
    await off.stop();
  });
});

describe('item 16: an Express app served without --interface node', () => {
  it('is refused with one line that names --interface node', async () => {
    const { code, stderr } = await runCli(['serve', 'test/fixtures/express-app.cjs', '--model', 'iterative', '--port', '0']);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Express/);
    expect(lines[0]).toMatch(/--interface node/);
  });
});
