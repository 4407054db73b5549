// Acceptance 3: --reap wait (one waitpid per SIGCHLD, the seed's flawed handler) under a
// burst. How many zombies are left varies from run to run; the books must always balance:
// at every `zombies` event, count = forks − reaps − children still running, and /proc agrees.
import { afterAll, expect, it } from 'vitest';
import type { ZombiesEvent } from '../../server-core/events';
import { killAllServers, startServer } from '../helpers/server';
import { readStat, zombieChildrenOf } from '../helpers/proc';
import { burst, sleep, until } from '../helpers/raw-get';

afterAll(() => killAllServers());

it('fork, --reap wait: every zombies event balances and matches /proc', async () => {
  const run = await startServer(['hello', '--model', 'fork', '--reap', 'wait', '--backlog', '128', '--port', '0']);

  // Watch the stream while the burst runs: at each zombies event, its pids must be zombies
  // in /proc now — or be reaped by the master (a later `reap` event) before long.
  let seen = 0;
  const suspicious: { pid: number; state: string | null; ev: ZombiesEvent }[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching || seen < run.events.length) {
      for (; seen < run.events.length; seen++) {
        const ev = run.events[seen];
        if (ev.type !== 'zombies') continue;
        for (const pid of ev.pids) {
          const state = readStat(pid)?.state ?? null;
          if (state !== 'Z') suspicious.push({ pid, state, ev });
        }
      }
      await sleep(5);
    }
  })();

  const responses = await burst(run.port, '/hello', 60, 30);
  expect(responses.filter((r) => r.status === 200)).toHaveLength(60);
  expect(await until(() => run.of('exit').length === 60, 10_000)).toBe(true);
  // Quiet: the master's last word on zombies is what /proc shows, and its books agree.
  const settled = (): boolean => {
    const left = zombieChildrenOf(run.pid);
    return (run.of('zombies').at(-1)?.pids ?? []).join() === left.join() && run.of('fork').length - run.of('reap').length === left.length;
  };
  expect(await until(settled, 10_000)).toBe(true);
  await sleep(300);
  watching = false;
  await watcher;

  // 1. The books balance at every zombies event, in stream order.
  let forks = 0;
  let exits = 0;
  let reaps = 0;
  const zombieSet = new Set<number>();
  for (const ev of run.events) {
    if (ev.type === 'fork') forks++;
    else if (ev.type === 'exit') {
      exits++;
      zombieSet.add(ev.child);
    } else if (ev.type === 'reap') {
      reaps++;
      zombieSet.delete(ev.child);
    } else if (ev.type === 'zombies') {
      const running = forks - exits;
      expect(ev.count).toBe(forks - reaps - running);
      expect(ev.pids.length).toBe(ev.count);
      expect([...ev.pids].sort()).toEqual([...zombieSet].sort());
    }
  }

  // 2. A pid the master called a zombie was one in /proc, or the master reaped it soon after.
  for (const s of suspicious) {
    expect(s.state, `pid ${s.pid} listed as a zombie but /proc says ${s.state}`).toBeNull();
    expect(run.of('reap').some((r) => r.child === s.pid)).toBe(true);
  }

  // 3. Quiet now: the last zombies event and /proc agree exactly.
  const left = zombieChildrenOf(run.pid);
  const last = run.of('zombies').at(-1);
  expect(last?.count ?? 0).toBe(left.length);
  expect(last?.pids ?? []).toEqual(left);
  expect(forks - reaps).toBe(left.length);
  console.log(
    `fork-wait: 60 exits, ${run.of('sigchld').length} SIGCHLD deliveries, ${reaps} reaped by one wait per signal, ${left.length} left as zombies`,
  );

  // reap-now cleans up whatever the flawed handler left.
  run.send({ cmd: 'reap-now' });
  await run.waitForCount('reap', 60);
  expect(zombieChildrenOf(run.pid)).toEqual([]);
  const { code } = await run.stop();
  expect(code).toBe(0);
}, 90_000);
