// Acceptance 5: a prefork pool. Two long-lived workers accept on the inherited listening
// socket themselves; each exits after --max-requests and the master starts a replacement
// only once it has seen the old one end — so never more than two serve at once.
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { killAllServers, startServer } from '../helpers/server';
import { childrenOf, processGroup, readStat } from '../helpers/proc';
import { burst, get, sleep, until } from '../helpers/raw-get';

afterAll(() => killAllServers());

it('prefork: 2 workers, --max-requests 10: 50 served, ≥ 4 replacements, never more than 2 at once', async () => {
  const run = await startServer(['hello', '--model', 'prefork', '--workers', '2', '--max-requests', '10', '--backlog', '64', '--port', '0']);

  // The kernel's view, sampled throughout: live (non-zombie) children of the master.
  let maxLive = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const live = childrenOf(run.pid).filter((p) => p.state !== 'Z').length;
      maxLive = Math.max(maxLive, live);
      await sleep(5);
    }
  })();

  const responses = await burst(run.port, '/hello', 50, 4);
  sampling = false;
  await sampler;
  expect(responses.filter((r) => r.status === 200)).toHaveLength(50);
  expect(maxLive).toBeLessThanOrEqual(2);

  // 50 connections, at most 10 per worker: at least 5 workers retired. The last ones retire
  // as the burst ends, so their replacements may still be on their way: wait for 4 of them.
  await run.waitForCount('fork', 2 + 4);
  await run.waitForCount('reap', 4);
  const forks = run.of('fork');
  expect(forks.every((f) => f.role === 'pool' && f.slot !== undefined && f.slot < 2)).toBe(true);
  expect(forks.length - 2).toBeGreaterThanOrEqual(4);

  // The master's own account, in stream order: started minus ended never exceeds 2.
  const live = new Set<number>();
  let maxByEvents = 0;
  for (const e of run.events) {
    if (e.type === 'fork') live.add(e.child);
    else if (e.type === 'exit' || e.type === 'reap') live.delete(e.child);
    maxByEvents = Math.max(maxByEvents, live.size);
  }
  expect(maxByEvents).toBeLessThanOrEqual(2);

  // Which worker accepted each connection: every accept comes from a pool worker, none took more than 10.
  const workerPids = new Set(forks.map((f) => f.child));
  // A worker gathers its events for a few milliseconds before writing them to the master, so
  // the last accepts may reach the stream after their answers reached the client.
  await run.waitForCount('accept', 50);
  const accepts = run.of('accept');
  expect(accepts).toHaveLength(50);
  const perWorker = new Map<number, number>();
  for (const a of accepts) {
    expect(workerPids.has(a.pid)).toBe(true);
    perWorker.set(a.pid, (perWorker.get(a.pid) ?? 0) + 1);
  }
  expect(Math.max(...perWorker.values())).toBeLessThanOrEqual(10);
  expect(new Set(accepts.map((a) => a.conn)).size).toBe(50);
  // A retired worker exited 0 and was reaped (reap loop is the default).
  const reaps = run.of('reap');
  expect(reaps.length).toBeGreaterThanOrEqual(4);
  expect(reaps.every((r) => r.code === 0)).toBe(true);

  // The workers' listen() on the inherited socket kept the master's backlog (TCP_INFO says so).
  expect(run.of('queue').length).toBeGreaterThan(0);
  expect(run.of('queue').every((q) => q.backlog === 64)).toBe(true);

  // SIGTERM: the pool is stopped and reaped, nothing is left behind.
  const { code } = await run.stop();
  expect(code).toBe(0);
  for (const f of forks) expect(readStat(f.child)).toBeNull();
  expect(processGroup(run.pid)).toEqual([]);
}, 90_000);

it('prefork: a worker that dies unexpectedly is replaced', async () => {
  const run = await startServer(['hello', '--model', 'prefork', '--workers', '2', '--port', '0']);
  await run.waitForCount('worker-ready', 2);
  const victim = run.of('fork')[0];
  run.send({ cmd: 'kill', pid: victim.child, signal: 'SIGKILL' });
  const reap = await run.waitFor('reap', (e) => e.child === victim.child);
  expect(reap.signal).toBe('SIGKILL');
  const replacement = await run.waitFor('fork', (e) => e.slot === victim.slot && e.child !== victim.child);
  expect(replacement.role).toBe('pool');
  await run.waitFor('worker-ready', (e) => e.pid === replacement.child);
  const res = await burst(run.port, '/hello', 4, 2);
  expect(res.every((r) => r.status === 200)).toBe(true);
  expect((await run.stop()).code).toBe(0);
}, 60_000);

it('prefork with keep-alive: --max-requests counts requests, not connections', async () => {
  const run = await startServer(['hello', '--model', 'prefork', '--workers', '1', '--worker-connections', '2', '--max-requests', '3', '--keep-alive', '--port', '0']);
  await run.waitForCount('worker-ready', 1);
  const first = run.of('fork')[0].child;

  // One keep-alive connection, requests one after another: the third is the worker's last.
  const sock = connect({ port: run.port, host: '127.0.0.1' });
  await once(sock, 'connect');
  let text = '';
  let ended = false;
  sock.on('data', (c: Buffer) => (text += c.toString('latin1')));
  sock.on('end', () => (ended = true));
  for (let i = 1; i <= 3; i++) {
    sock.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await until(() => (text.match(/HTTP\/1\.1 200 OK/g) ?? []).length === i, 10_000)).toBe(true);
  }
  expect(await until(() => ended, 10_000)).toBe(true); // the worker closed the connection
  sock.destroy();
  const heads = text.split('HTTP/1.1 200 OK').slice(1);
  expect(heads.slice(0, 2).every((h) => /Connection: keep-alive/i.test(h))).toBe(true);
  expect(heads[2]).toMatch(/Connection: close/i);

  // The worker served its 3 requests on one connection and exited 0; the kernel agrees.
  const reap = await run.waitFor('reap', (e) => e.child === first);
  expect(reap.code).toBe(0);
  // Its events come through its pipe, which the master may read after it has reaped it.
  expect(await until(() => run.of('request').filter((r) => r.pid === first).length === 3, 5_000)).toBe(true);
  expect(readStat(first)).toBeNull();

  // Its replacement serves the next request.
  const next = await run.waitFor('worker-ready', (e) => e.pid !== first);
  const res = await get(run.port, '/hello');
  expect(res.status).toBe(200);
  await run.waitForCount('request', 4);
  expect(run.of('request')[3].pid).toBe(next.pid);
  expect((await run.stop()).code).toBe(0);
}, 60_000);

it('prefork: a worker that dies of an error while accepting still answers what its last accept brought', async () => {
  const run = await startServer(['test/fixtures/throws-later.mjs', '--model', 'prefork', '--workers', '1', '--port', '0']);
  await run.waitFor('worker-ready');
  expect((await get(run.port, '/boom')).status).toBe(200);
  // Clients arriving while the worker dies (its accept is pending on a pool thread for up to
  // 0.1 s): each gets an answer — 503 from the dying worker, or 200 from its replacement —
  // never a reset.
  const statuses = await Promise.all(
    [0, 20, 40, 60, 80, 100, 140].map(async (ms) => {
      await sleep(ms);
      return (await get(run.port, '/')).status;
    }),
  );
  for (const s of statuses) expect([200, 503]).toContain(s);
  await run.waitFor('reap', (e) => e.code === 1);
  await run.stop();
});
