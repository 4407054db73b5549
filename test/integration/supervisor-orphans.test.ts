// Acceptance 2: SIGKILL to the master with 5 zombies and 2 slow workers alive. The supervisor
// (a child subreaper) sees them reparented to itself, reaps each one by pid, and reports the
// master's death with its signal. Nothing of the run remains in /proc.
import { afterEach, expect, it } from 'vitest';
import { readStat, zombieChildrenOf } from '../helpers/proc';
import { isSubreaper } from '../../src-main/sys/prctl';
import { config, fireOpts, leftovers, makeSupervisor, ofType, shutdownAll, until } from './supervisor-helpers';

afterEach(shutdownAll);

it('SIGKILL to the master: zombies and live workers are reparented, then reaped by the supervisor', async () => {
  const sup = makeSupervisor();
  const { master } = await sup.start(config({ model: 'fork', reap: 'none', app: 'slow' }));
  expect(isSubreaper()).toBe(true);
  const port = master!.port;

  const quick = await sup.fire(fireOpts(port, { mode: 'burst', clients: 1, conns: 5, url: `http://127.0.0.1:${port}/?ms=0` }));
  expect(quick.statuses).toEqual({ '200': 5 });
  expect(await until(() => zombieChildrenOf(master!.pid).length === 5)).toBe(true);
  const zombies = zombieChildrenOf(master!.pid);

  // Two slow requests: their workers are alive (sleeping in the app) when the master dies.
  const slow = sup.fire(fireOpts(port, { mode: 'burst', clients: 2, conns: 1, url: `http://127.0.0.1:${port}/?ms=4000` }));
  expect(await until(() => sup.summary().procs.filter((p) => p.role === 'worker' && p.state !== 'Z').length === 2, 15_000)).toBe(true);
  const alive = sup
    .summary()
    .procs.filter((p) => p.role === 'worker' && p.state !== 'Z')
    .map((p) => p.pid);

  process.kill(master!.pid, 'SIGKILL');

  const all = [...zombies, ...alive].sort((a, b) => a - b);
  const reapedBySupervisor = () => ofType(sup.history(), 'reap').filter((r) => r.by === 'supervisor');
  const story = () =>
    JSON.stringify({
      all,
      exit: ofType(sup.history(), 'master-exit').length,
      reparented: ofType(sup.history(), 'reparented').map((e) => e.child),
      reaped: reapedBySupervisor().map((e) => e.child),
      held: sup.orphanPids,
      states: all.map((pid) => readStat(pid)?.state ?? null),
    });
  expect(await until(() => reapedBySupervisor().length === 7, 20_000), story()).toBe(true);
  await slow; // the clients end one way or another (their workers may die of SIGPIPE)

  const history = sup.history();
  const exit = ofType(history, 'master-exit');
  expect(exit).toHaveLength(1);
  expect(exit[0]).toMatchObject({ signal: 'SIGKILL', code: null, expected: false });
  expect(exit[0].message).toMatch(/killed by SIGKILL/);
  expect(sup.summary().lastError).toMatch(/killed by SIGKILL/);
  expect(sup.summary().running).toBe(false);

  const reparented = ofType(history, 'reparented');
  expect(reparented.map((e) => e.child).sort((a, b) => a - b)).toEqual(all);
  expect(reapedBySupervisor().map((e) => e.child).sort((a, b) => a - b)).toEqual(all);
  // Each orphan is reported before it is reaped, and after the master's death.
  for (const pid of all) {
    const r = history.findIndex((e) => e.type === 'reparented' && e.child === pid);
    const p = history.findIndex((e) => e.type === 'reap' && e.child === pid);
    expect(r).toBeGreaterThan(history.indexOf(exit[0]));
    expect(p).toBeGreaterThan(r);
  }
  // The 5 old zombies were reaped with exit code 0; the timeline says how long they were zombies.
  for (const r of reapedBySupervisor().filter((e) => zombies.includes(e.child))) {
    expect(r.code).toBe(0);
    expect(r.zombieMs).toBeGreaterThanOrEqual(0);
  }
  for (const pid of all) expect(readStat(pid)).toBeNull();
  expect(leftovers(master!.pid)).toEqual([]);
  expect(sup.orphanPids).toEqual([]);
  expect(await until(() => sup.summary().procs.length === 0, 5000)).toBe(true);
});

it('an orphan that keeps the listening socket: a new start on the same port ends it first', async () => {
  const sup = makeSupervisor();
  const first = await sup.start(config({ model: 'fork', reap: 'loop', app: 'slow', childKeepsListener: true }));
  const { pid, port } = first.master!;
  const slow = sup.fire(fireOpts(port, { url: `http://127.0.0.1:${port}/?ms=20000`, timeoutS: 30 }));
  expect(await until(() => sup.summary().procs.some((p) => p.role === 'worker' && p.state !== 'Z'), 15_000)).toBe(true);
  const worker = sup.summary().procs.find((p) => p.role === 'worker')!.pid;

  process.kill(pid, 'SIGKILL');
  expect(await until(() => ofType(sup.history(), 'reparented').some((e) => e.child === worker), 10_000)).toBe(true);
  expect(readStat(worker)?.state).not.toBe('Z'); // alive, holding the port

  const second = await sup.start(config({ model: 'fork', reap: 'loop', port }));
  expect(second.running).toBe(true);
  expect(second.master!.port).toBe(port);
  const reap = ofType(sup.history(), 'reap').find((e) => e.child === worker)!;
  expect(reap).toMatchObject({ by: 'supervisor', signal: 'SIGKILL' });
  expect(readStat(worker)).toBeNull();
  expect(leftovers(pid)).toEqual([]);
  await slow;
});
