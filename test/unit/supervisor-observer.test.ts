// The kernel observer and the orphanage against real processes: a small shell "master" that
// leaves a real zombie, then dies so the zombie is reparented to this (subreaper) process.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventInput } from '../../server-core/events';
import { now } from '../../server-core/clock';
import { Observer } from '../../src-main/observer/observer';
import { Account, DivergenceWatch } from '../../src-main/observer/divergence';
import { Orphanage } from '../../src-main/supervisor/orphans';
import { becomeSubreaper, isSubreaper } from '../../src-main/sys/prctl';
import { readStat } from '../helpers/proc';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started: ChildProcess[] = [];

/** `sleep 30` with one zombie child: sh forks `sleep 0.05`, then execs `sleep 30`, which never waits. */
async function zombieMaker(): Promise<{ proc: ChildProcess; pid: number; zombie: number }> {
  const proc = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(proc);
  const [chunk] = (await once(proc.stdout!, 'data')) as [Buffer];
  const zombie = Number(chunk.toString().trim());
  for (let i = 0; i < 200 && readStat(zombie)?.state !== 'Z'; i++) await sleep(10);
  expect(readStat(zombie)?.state).toBe('Z');
  // The shell has become `sleep 30` and sleeps (a loaded machine may take a moment to get there).
  const settled = (): boolean => readStat(proc.pid!)?.comm === 'sleep' && readStat(proc.pid!)?.state === 'S';
  for (let i = 0; i < 500 && !settled(); i++) await sleep(10);
  return { proc, pid: proc.pid!, zombie };
}

afterEach(() => {
  for (const p of started.splice(0)) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

describe('Observer', () => {
  it('finds the master, its zombie, and the same tree with both ways of looking', async () => {
    const { pid, zombie } = await zombieMaker();
    const fast = new Observer({ mode: 'children' }, () => {});
    const walk = new Observer({ mode: 'walk', cacheZombies: false }, () => {});
    fast.setMaster(pid);
    walk.setMaster(pid);
    const a = fast.sample();
    const b = walk.sample();
    expect(a.full).toBe(true);
    expect(a.tree.procs.get(process.pid)?.role).toBe('supervisor');
    expect(a.tree.procs.get(pid)).toMatchObject({ role: 'master', ppid: process.pid, state: 'S' });
    expect(a.tree.procs.get(pid)?.cmd).toContain('sleep 30');
    expect(a.tree.procs.get(pid)?.fds).toBeGreaterThanOrEqual(3);
    expect(a.tree.procs.get(zombie)).toMatchObject({ role: 'worker', state: 'Z', fds: null, ppid: pid });
    expect(a.tree.zombies).toBe(1);
    expect([...(a.tree.masterChildren ?? new Map())]).toEqual([[zombie, 'Z']]);
    expect([...b.tree.procs.keys()].sort()).toEqual([...a.tree.procs.keys()].sort());
    // Start times are on the run's clock: the zombie started a moment ago.
    expect(Math.abs(a.tree.procs.get(zombie)!.start - now())).toBeLessThan(5000);
    // Nothing moved: the next sample has no diff (the zombie came from the cache).
    const c = fast.sample();
    expect(c.full).toBe(false);
    expect(c.diff?.changed.filter((p) => p.pid !== process.pid) ?? []).toEqual([]);
    expect(fast.zombieSinceOf(zombie)).not.toBeNull();
  });

  it('sees the zombie reparented when the master is killed, and the orphanage reaps it by pid', async () => {
    expect(becomeSubreaper()).toBe(true);
    expect(isSubreaper()).toBe(true);
    const { proc, pid, zombie } = await zombieMaker();
    const events: EventInput[] = [];
    const obs = new Observer({}, () => {});
    obs.setMaster(pid);
    obs.sample();
    const orphanage = new Orphanage((e) => events.push(e), (p) => obs.zombieSinceOf(p), now);
    process.kill(pid, 'SIGKILL');
    await once(proc, 'exit');
    obs.setMaster(null);
    let o = obs.sample();
    for (let i = 0; i < 100 && !o.tree.orphans.includes(zombie); i++) {
      await sleep(10);
      o = obs.sample();
    }
    expect(o.tree.orphans).toEqual([zombie]);
    expect(o.tree.procs.get(zombie)).toMatchObject({ role: 'orphan', state: 'Z', ppid: process.pid });
    orphanage.observe(o.tree.orphans);
    expect(events[0]).toEqual({ type: 'reparented', child: zombie });
    expect(events[1]).toMatchObject({ type: 'reap', child: zombie, code: 0, by: 'supervisor' });
    expect((events[1] as { zombieMs: number }).zombieMs).toBeGreaterThanOrEqual(0);
    expect(readStat(zombie)).toBeNull();
    expect(orphanage.size).toBe(0);
    expect(obs.sample().tree.procs.size).toBe(0); // nothing of the run is left
  });
});

describe('DivergenceWatch', () => {
  it('reports a pid the two accounts disagree about for more than the grace time, then its end', () => {
    const acc = new Account();
    const w = new DivergenceWatch(1000);
    const ev = (e: object) => acc.note({ t: 0, pid: 1, ...e } as never);
    ev({ type: 'fork', child: 5, conn: 1, spawnMs: 1, role: 'connection' });
    ev({ type: 'fork', child: 6, conn: 2, spawnMs: 1, role: 'connection' });
    ev({ type: 'exit', child: 5, via: 'sigchld' });
    const kernel = new Map([
      [5, 'Z'],
      [6, 'Z'], // the master has not heard that 6 exited
    ]);
    expect(w.check(0, acc, kernel).report).toEqual([]);
    expect(w.check(900, acc, kernel).report).toEqual([]);
    expect(w.check(1100, acc, kernel).report).toEqual([{ what: 'zombies', master: 1, kernel: 2, pids: [6] }]);
    expect(w.check(1200, acc, kernel).report).toEqual([]); // said once
    ev({ type: 'exit', child: 6, via: 'proc' });
    expect(w.check(1300, acc, kernel)).toEqual({ report: [], resolved: ['zombies'] });
    // A transient lag (fork event not in yet) shorter than the grace time is no divergence.
    const k2 = new Map([...kernel, [7, 'R']]);
    expect(w.check(1400, acc, k2).report).toEqual([]);
    ev({ type: 'fork', child: 7, conn: 3, spawnMs: 1, role: 'connection' });
    expect(w.check(2600, acc, k2).report).toEqual([]);
  });
});
