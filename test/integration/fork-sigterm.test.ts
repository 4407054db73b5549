// Acceptance 6: SIGTERM to the master while 5 workers serve slow requests: it stops its
// workers, reaps them, closes the socket and exits 0 — leaving no process behind.
import { afterAll, expect, it } from 'vitest';
import { canBind, killAllServers, startServer } from '../helpers/server';
import { processGroup, readStat } from '../helpers/proc';
import { rawGet } from '../helpers/raw-get';

afterAll(() => killAllServers());


it('SIGTERM during 5 slow requests: exit within 3 s, every worker gone, port free', async () => {
  const run = await startServer(['slow', '--model', 'fork', '--port', '0']);
  const clients = Array.from({ length: 5 }, () => rawGet(run.port, '/?ms=20000', { timeoutMs: 30_000 }).catch((e: Error) => e));
  await run.waitForCount('worker-ready', 5, 30_000);
  const workers = run.of('fork').map((f) => f.child);
  expect(workers).toHaveLength(5);
  for (const pid of workers) expect(readStat(pid)?.ppid).toBe(run.pid);

  const t0 = Date.now();
  const { code } = await run.stop(10_000);
  const ms = Date.now() - t0;
  expect(code).toBe(0);
  expect(ms).toBeLessThan(3000);

  for (const pid of workers) expect(readStat(pid)).toBeNull();
  expect(processGroup(run.pid)).toEqual([]);
  expect(await canBind(run.port)).toBe(true);
  expect(run.of('signal-sent').filter((s) => s.reason === 'shutdown')).toHaveLength(5);
  expect(new Set(run.of('reap').map((r) => r.child))).toEqual(new Set(workers));
  expect(run.of('stopped').at(-1)?.code).toBe(0);
  await Promise.all(clients); // each client saw its connection end (an error or a short read)
}, 60_000);
