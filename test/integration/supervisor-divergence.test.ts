// A real divergence: the master is frozen (SIGSTOP) while its worker exits. The kernel shows a
// zombie the master has not heard of; after the 1 s grace the supervisor says so, and when the
// master is thawed (SIGCONT) and catches up, it says the divergence is over.
import { afterEach, expect, it } from 'vitest';
import { childrenOf, readStat } from '../helpers/proc';
import { config, fireOpts, makeSupervisor, ofType, shutdownAll, until } from './supervisor-helpers';

let frozen = 0;
afterEach(async () => {
  if (frozen) process.kill(frozen, 'SIGCONT');
  frozen = 0;
  await shutdownAll();
});

it('a master that cannot hear SIGCHLD: divergence {zombies} after 1 s, resolved once it catches up', async () => {
  const sup = makeSupervisor();
  const { master } = await sup.start(config({ model: 'fork', reap: 'none', app: 'slow' }));
  const pid = master!.pid;
  const fired = sup.fire(fireOpts(master!.port, { url: `http://127.0.0.1:${master!.port}/?ms=1500` }));
  // The worker as the kernel has it (the timeline's fork line may come later): the master must be frozen before it answers.
  expect(await until(() => childrenOf(pid).length === 1, 15_000)).toBe(true);
  const child = childrenOf(pid)[0].pid;

  process.kill(pid, 'SIGSTOP');
  frozen = pid;
  // The worker answers the client by itself and exits: a zombie the frozen master knows nothing of.
  expect((await fired).statuses).toEqual({ '200': 1 });
  expect(await until(() => readStat(child)?.state === 'Z', 10_000)).toBe(true);
  const diverged = () => ofType(sup.history(), 'divergence').filter((d) => d.what === 'zombies' && !d.resolved);
  expect(await until(() => diverged().length > 0, 10_000)).toBe(true);
  const d = diverged()[0];
  expect(d).toMatchObject({ master: 0, kernel: 1, pids: [child], source: 'supervisor' });
  const zombieSeen = sup.history().find((e) => e.type === 'proc' && e.procs.some((p) => p.pid === child && p.state === 'Z'))!;
  expect(d.t - zombieSeen.t).toBeGreaterThan(1000); // not before the grace time
  expect(sup.summary().divergence).toMatchObject({ what: 'zombies', master: 0, kernel: 1 });

  process.kill(pid, 'SIGCONT');
  frozen = 0;
  expect(await until(() => ofType(sup.history(), 'divergence').some((e) => e.what === 'zombies' && e.resolved), 10_000)).toBe(true);
  expect(ofType(sup.history(), 'exit').map((e) => e.child)).toContain(child);
  expect(sup.summary().divergence).toBeNull();
});
