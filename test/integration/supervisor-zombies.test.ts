// Acceptance 1 and 6: a fork / --reap none run's zombies as the supervisor reports them are
// the kernel's zombies, with no divergence; stop leaves nothing of the run alive.
import { afterEach, expect, it } from 'vitest';
import { zombieChildrenOf, readStat } from '../helpers/proc';
import { config, fireOpts, leftovers, makeSupervisor, ofType, shutdownAll, sleep, until } from './supervisor-helpers';

afterEach(shutdownAll);

it('fork / reap none, 20 requests: 20 zombies in the summary, the same 20 pids Z in /proc, no divergence; stop leaves nothing', async () => {
  const sup = makeSupervisor();
  const started = await sup.start(config({ model: 'fork', reap: 'none' }));
  expect(started.running).toBe(true);
  expect(started.lastError).toBeNull();
  const master = started.master!;
  expect(master.port).toBeGreaterThan(0);

  const result = await sup.fire(fireOpts(master.port, { mode: 'burst', clients: 1, conns: 20 }));
  expect(result.statuses).toEqual({ '200': 20 });

  // The zombies come from the master; each worker's request and response through its pipe, maybe later.
  const settled = (): boolean => {
    const s = sup.summary();
    return s.zombies.count === 20 && s.counters.requests === 20 && s.counters.responses['200'] === 20;
  };
  expect(await until(settled, 15_000)).toBe(true);
  const summary = sup.summary();
  const kernel = zombieChildrenOf(master.pid);
  expect(kernel).toHaveLength(20);
  expect(summary.zombies.pids).toEqual(kernel);
  const forks = ofType(sup.history(), 'fork').map((f) => f.child);
  expect([...forks].sort((a, b) => a - b)).toEqual(kernel);
  // Every zombie is in the process tree, as a worker of the master, in state Z.
  const zombieProcs = summary.procs.filter((p) => p.state === 'Z');
  expect(zombieProcs.map((p) => p.pid)).toEqual(kernel);
  expect(zombieProcs.every((p) => p.role === 'worker' && p.ppid === master.pid)).toBe(true);
  expect(summary.counters).toMatchObject({ accepted: 20, forked: 20, requests: 20, responses: { '200': 20 }, reaped: 0 });

  // Give the divergence watch well over its 1 s grace: the master's account matches /proc.
  await sleep(1500);
  sup.flush();
  expect(ofType(sup.history(), 'divergence')).toEqual([]);
  expect(sup.summary().divergence).toBeNull();

  // Acceptance 6: stop leaves no process of the run alive (process group and /proc).
  await sup.stop();
  expect(leftovers(master.pid)).toEqual([]);
  for (const pid of kernel) expect(readStat(pid)).toBeNull();
  expect(readStat(master.pid)).toBeNull();
  sup.flush();
  const after = sup.summary();
  expect(after.running).toBe(false);
  expect(after.lastError).toBeNull();
  expect(after.procs).toEqual([]);
  expect(after.zombies.count).toBe(0);
  const exit = ofType(sup.history(), 'master-exit').at(-1)!;
  expect(exit.expected).toBe(true);
});
