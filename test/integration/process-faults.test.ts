// Issue 15, D2, D6, D7: process faults. The worker timeout is per request; --nofile refuses
// what the model cannot run with and EMFILE is never fatal, and the 503 it promises reaches
// the client; prefork workers die with their master.
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep, timedGet } from '../helpers/hostile';
import { readStat } from '../helpers/proc';
import { canBind, killAllServers, runCli, startServer } from '../helpers/server';

afterAll(() => killAllServers());

/** Running (a zombie has ended: its parent, or init, has yet to collect it). */
const isAlive = (pid: number): boolean => {
  const st = readStat(pid);
  return st !== null && st.state !== 'Z';
};

/** One kept connection: requests on it, one at a time. */
async function keptConnection(port: number) {
  const sock = createConnection({ port, host: '127.0.0.1' });
  sock.on('error', () => {});
  await once(sock, 'connect');
  let buf = '';
  sock.on('data', (c: Buffer) => (buf += c.toString('latin1')));
  return {
    async ask(target: string): Promise<number | null> {
      const before = buf.length;
      sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline && !/\r\n\r\n[\s\S]*\n/.test(buf.slice(before))) await sleep(10);
      const m = /HTTP\/1\.1 (\d{3})/.exec(buf.slice(before));
      return m ? Number(m[1]) : null;
    },
    end: () => sock.destroy(),
  };
}

describe('D2: prefork --worker-timeout counts one request, from its arrival to its answer', () => {
  it('kept connections that live longer than the timeout, idle between requests, are never timed out', async () => {
    const run = await startServer(['slow', '--model', 'prefork', '--workers', '2', '--worker-connections', '4', '--keep-alive', '--worker-timeout', '1', '--port', '0']);
    await run.waitForCount('worker-ready', 2);
    const conns = await Promise.all([1, 2, 3].map(() => keptConnection(run.port)));
    for (let round = 0; round < 5; round++) {
      const statuses = await Promise.all(conns.map((c) => c.ask('/?ms=10')));
      expect(statuses).toEqual([200, 200, 200]);
      await sleep(400);
    }
    expect(run.of('signal-sent').filter((e) => e.reason === 'worker-timeout')).toEqual([]);
    for (const c of conns) c.end();
    await run.stop();
  });

  it('a request slower than the timeout is ended at the timeout, though other requests keep arriving at its worker', async () => {
    const run = await startServer(['slow', '--model', 'prefork', '--workers', '1', '--worker-connections', '4', '--worker-timeout', '1', '--port', '0']);
    await run.waitForCount('worker-ready', 1);
    const t0 = performance.now();
    const slow = timedGet(run.port, '/?ms=6000', 8_000);
    // Short requests to the same (only) worker meanwhile.
    for (let i = 0; i < 6; i++) {
      await sleep(250);
      void timedGet(run.port, '/?ms=0', 3_000);
    }
    const sent = await run.waitFor('signal-sent', (e) => e.reason === 'worker-timeout', 8_000);
    expect(sent.signal).toBe('SIGTERM');
    expect(performance.now() - t0).toBeGreaterThan(900);
    // On the server's own clock, from the slow request's arrival (the test's own timers drift
    // on a busy machine): the timeout, not the short requests after it, decides.
    const request = await run.waitFor('request', (e) => e.path.includes('ms=6000'), 5_000);
    expect(sent.t - request.t).toBeGreaterThan(900);
    expect(sent.t - request.t).toBeLessThan(2_500);
    await slow;
    await run.stop();
  });
});

describe('D6: --nofile', () => {
  for (const model of ['iterative', 'fork', 'prefork']) {
    it(`--model ${model}: a limit it cannot run with is refused in one line that says the minimum and why; the minimum serves`, async () => {
      const refused = await runCli(['serve', 'hello', '--model', model, '--port', '0', '--nofile', '16']);
      expect(refused.code).toBe(2);
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      const m = /--nofile (\d+)/.exec(lines[0].replace('--nofile 16', ''));
      expect(m, lines[0]).toBeTruthy();
      expect(lines[0]).toMatch(/already holds \d+/);
      const minimum = Number(m![1]);
      expect(minimum).toBeGreaterThan(16);
      const run = await startServer(['hello', '--model', model, '--port', '0', '--nofile', String(minimum)]);
      if (model === 'prefork') await run.waitForCount('worker-ready', 2);
      const results = await Promise.all(Array.from({ length: 6 }, () => timedGet(run.port, '/hello', 8_000)));
      // Every client gets a whole answer: served, or told the server is out of descriptors.
      for (const r of results) expect([200, 503]).toContain(r.status);
      expect(results.some((r) => r.status === 200)).toBe(true);
      expect(run.of('stopped')).toEqual([]);
      await run.stop();
    });
  }

  it('--model fork --nofile 32 under a burst: every client gets a whole answer (200 or 503), and each 503 event is a 503 a client got', async () => {
    const run = await startServer(['slow', '--model', 'fork', '--port', '0', '--nofile', '32', '--backlog', '64']);
    // Clients that read their answer a moment after sending: a server that closes with their
    // request unread resets the connection, and the 503 is lost before they read it.
    const results = await Promise.all(Array.from({ length: 24 }, () => timedGet(run.port, '/?ms=400', 15_000, 300)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 503), JSON.stringify(statuses)).toEqual([]);
    const got503 = statuses.filter((s) => s === 503).length;
    const said = () => run.of('error').filter((e) => e.status === 503).length;
    await expect.poll(said, { timeout: 10_000 }).toBeGreaterThanOrEqual(got503);
    await sleep(300);
    expect(said()).toBe(got503);
    await run.stop();
  });
});

describe('D7: prefork workers die with their master', () => {
  it('SIGKILL to the master: its workers end too, and the port is free', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '2', '--port', '0']);
    await run.waitForCount('worker-ready', 2);
    const workers = run.of('fork').map((f) => f.child);
    expect(workers).toHaveLength(2);
    process.kill(run.pid, 'SIGKILL');
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline && workers.some((pid) => isAlive(pid))) await sleep(50);
    expect(workers.filter((pid) => isAlive(pid))).toEqual([]);
    // The listening socket goes with its last holder (a moment after its death).
    let free = false;
    for (let i = 0; i < 20 && !free; i++) {
      free = await canBind(run.port);
      if (!free) await sleep(100);
    }
    expect(free).toBe(true);
    run.kill();
  });
});

it('fork workers do not outlive their connection when the master is gone', async () => {
  const run = await startServer(['slow', '--model', 'fork', '--port', '0']);
  const pending = timedGet(run.port, '/?ms=600', 5_000);
  const fork = await run.waitFor('fork');
  process.kill(run.pid, 'SIGKILL');
  // The worker finishes its answer, then ends.
  expect((await pending).status).toBe(200);
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline && isAlive(fork.child)) await sleep(50);
  expect(isAlive(fork.child)).toBe(false);
  run.kill();
});
