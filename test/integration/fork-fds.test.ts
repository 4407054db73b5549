// Acceptance 4: the seed's fd lesson, broken on purpose. With --parent-keeps-conn the master
// keeps its copy of every connection: the client gets its response but never EOF, and the
// master's fd table grows by one per request until accept fails with EMFILE — which is
// reported, answered with 503 through the reserve fd, and backed off (no busy loop).
import { afterAll, expect, it } from 'vitest';
import { killAllServers, startServer } from '../helpers/server';
import { fdCount, readStat } from '../helpers/proc';
import { rawGet, sleep, until, type RawResponse } from '../helpers/raw-get';
import { readFileSync } from 'node:fs';

afterAll(() => killAllServers());

/** utime + stime of a process, in clock ticks (100 per second here). */
function cpuTicks(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

const gotEof = (res: RawResponse, ms: number): Promise<boolean> =>
  Promise.race([res.eof.then(() => true), sleep(ms).then(() => false)]);

it('--parent-keeps-conn: response without EOF, one more fd per request, EOF after release-fds', async () => {
  const run = await startServer(['hello', '--model', 'fork', '--parent-keeps-conn', '--port', '0']);
  // The master's descriptors once it has settled after start-up: the same count at three looks.
  let looks = [-1, -2, -3];
  for (let i = 0; i < 100 && new Set(looks).size > 1; i++) {
    await sleep(100);
    looks = [...looks.slice(1), fdCount(run.pid)];
  }
  const base = looks[2];
  const kept: RawResponse[] = [];
  for (let i = 1; i <= 5; i++) {
    const res = await rawGet(run.port, '/hello');
    expect(res.status).toBe(200);
    kept.push(res);
    const accept = await run.waitFor('accept', (e) => e.peer.port === res.localPort);
    const fork = await run.waitFor('fork', (e) => e.conn === accept.conn);
    await run.waitFor('reap', (e) => e.child === fork.child);
    // The worker is gone (and its event pipe with it); the master's copy of the connection stays.
    expect(await until(() => fdCount(run.pid) === base + i, 5_000)).toBe(true);
  }
  await sleep(200);
  expect(fdCount(run.pid)).toBe(base + 5);
  expect(await gotEof(kept[0], 300)).toBe(false);
  expect(await gotEof(kept[4], 10)).toBe(false);

  run.send({ cmd: 'release-fds' });
  const released = await run.waitFor('fds-released');
  expect(released.count).toBe(5);
  for (const res of kept) expect(await gotEof(res, 5_000)).toBe(true);
  expect(await until(() => fdCount(run.pid) === base, 5_000)).toBe(true);
  expect((await run.stop()).code).toBe(0);
}, 60_000);

it('low --nofile: EMFILE is reported with a 503, no busy loop, and requests succeed after release-fds', async () => {
  const run = await startServer(['hello', '--model', 'fork', '--parent-keeps-conn', '--nofile', '36', '--port', '0']);
  const statuses: number[] = [];
  for (let i = 0; i < 30 && !statuses.includes(503); i++) {
    const res = await rawGet(run.port, '/hello');
    statuses.push(res.status);
  }
  expect(statuses[0]).toBe(200);
  expect(statuses.at(-1)).toBe(503);
  const emfile = await run.waitFor('error', (e) => e.code === 'EMFILE');
  expect(emfile.status).toBe(503);
  await run.waitFor('accepting', (e) => !e.on && e.reason === 'EMFILE');

  // Clients keep arriving while no fd is left: the master must idle, not spin.
  const waiting = [0, 1, 2].map(() => rawGet(run.port, '/hello').catch(() => null));
  await sleep(100);
  const t0 = cpuTicks(run.pid);
  const w0 = Date.now();
  await sleep(1000);
  const usedTicks = cpuTicks(run.pid) - t0;
  const wall = Date.now() - w0;
  // A busy loop would burn ~100 ticks a second; allow generous room for a loaded machine.
  expect(usedTicks, `master used ${usedTicks} ticks of CPU in ${wall} ms`).toBeLessThan(40);
  // A spinning master is R at every look; an idle one may be caught R now and then (its back-off
  // timer, the narration), and on a busy machine one such round stays R for 100 ms and more while
  // it waits for a CPU — so look 20 times spread over 2 s, not bunched into one round.
  const states: string[] = [];
  for (let i = 0; i < 20; i++) {
    states.push(readStat(run.pid)?.state ?? '?');
    await sleep(100);
  }
  expect(states.filter((s) => s !== 'R').length, `master states: ${states.join('')}`).toBeGreaterThanOrEqual(10);

  run.send({ cmd: 'release-fds' });
  await run.waitFor('fds-released');
  // Whatever each waiting client got meanwhile (200 now, or a 503 in a back-off round), it got an answer.
  for (const res of await Promise.all(waiting)) expect([200, 503]).toContain(res?.status);
  const after = await rawGet(run.port, '/hello');
  expect(after.status).toBe(200);
  expect((await run.stop()).code).toBe(0);
}, 60_000);
