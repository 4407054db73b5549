// Acceptance 1: a process per connection with --reap none leaves every finished worker a
// zombie; kill -9 cannot remove one; one waitpid loop (reap-now) collects them all.
import { afterAll, expect, it } from 'vitest';
import { killAllServers, startServer } from '../helpers/server';
import { readStat, zombieChildrenOf } from '../helpers/proc';
import { get, until } from '../helpers/raw-get';

afterAll(() => killAllServers());

it('fork, --reap none: 30 requests leave 30 real zombies until reap-now', async () => {
  const run = await startServer(['hello', '--model', 'fork', '--reap', 'none', '--port', '0']);
  for (let i = 0; i < 30; i++) {
    const res = await get(run.port, '/hello');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Hello world');
  }

  // The master's fork line may reach us just after the worker's answer did.
  await run.waitForCount('fork', 30);
  const forks = run.of('fork');
  expect(forks).toHaveLength(30);
  const pids = forks.map((f) => f.child);
  expect(new Set(pids).size).toBe(30);
  expect(forks.every((f) => f.role === 'connection' && f.conn !== undefined)).toBe(true);

  // The kernel's word: 30 children of the master, every one in state Z.
  expect(await until(() => zombieChildrenOf(run.pid).length === 30, 10_000)).toBe(true);
  expect(zombieChildrenOf(run.pid)).toEqual([...pids].sort((a, b) => a - b));
  await run.waitFor('zombies', (e) => e.count === 30);
  const lastZombies = run.of('zombies').at(-1)!;
  expect(lastZombies.count).toBe(30);
  expect(lastZombies.pids).toEqual([...pids].sort((a, b) => a - b));
  expect(run.of('reap')).toHaveLength(0);
  expect(run.of('sigchld').length).toBeGreaterThan(0); // counted, never answered

  // kill -9 is really sent, and the zombie really stays.
  const victim = pids[0];
  run.send({ cmd: 'kill', pid: victim, signal: 9 });
  const sent = await run.waitFor('signal-sent', (e) => e.child === victim);
  expect(sent.signal).toBe('SIGKILL');
  expect(sent.reason).toBe('command');
  await new Promise((r) => setTimeout(r, 200));
  expect(readStat(victim)?.state).toBe('Z');
  // …and the master says why, in the seed's words.
  const why = await run.waitFor('notice', (e) => e.code === 'ZOMBIE_SIGNALLED');
  expect(why.message).toMatch(new RegExp(`${victim} is a zombie`));

  // A pid that is not the master's child is refused.
  run.send({ cmd: 'kill', pid: process.pid, signal: 0 });
  const refused = await run.waitFor('error', (e) => e.code === 'NOT_A_CHILD');
  expect(refused.child).toBe(process.pid);

  // One waitpid(-1, WNOHANG) loop collects them all.
  run.send({ cmd: 'reap-now' });
  await run.waitForCount('reap', 30);
  const reaps = run.of('reap');
  expect(new Set(reaps.map((r) => r.child))).toEqual(new Set(pids));
  expect(reaps.every((r) => r.by === 'reap-now' && r.code === 0 && r.zombieMs !== null && r.zombieMs >= 0)).toBe(true);
  await run.waitFor('zombies', (e) => e.count === 0);
  expect(zombieChildrenOf(run.pid)).toEqual([]);
  for (const pid of pids) expect(readStat(pid)).toBeNull();

  const { code } = await run.stop();
  expect(code).toBe(0);
}, 60_000);
