// The charts' numbers: every series is the supervisor's summary sampled per second (so the
// last step equals the counter card beside it), drawn as steps with nothing interpolated.
import { describe, expect, it } from 'vitest';
import { chartRows, extendTo, lastSecondRps, niceTicks, timeTicks } from '../../src-renderer/panels/chart-rows';
import { Journal } from '../../src-renderer/store/journal';
import type { Point } from '../../src-renderer/store/series';
import { batch, Clock, proc, runStart, SUPERVISOR } from './renderer-fixtures';

describe('Series', () => {
  it('moves with every event inside a second, and its last point matches the counters', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(batch(0, runStart(c)), 0);
    const before = j.series.version;
    const zombies = [301, 302, 303].map((pid) => proc(pid, 'worker', 'Z'));
    j.applyBatch(
      batch(3, [
        c.ev('proc', { pid: SUPERVISOR, procs: [...zombies, proc(304, 'worker', 'R'), proc(305, 'worker', 'S')], zombies: 3, full: false }),
        // A diff naming only one changed worker: the others are still there.
        c.ev('proc', { pid: SUPERVISOR, procs: [proc(305, 'worker', 'Z')], zombies: 4, full: false }),
        c.ev('exit', { child: 301, via: 'sigchld' }),
        c.ev('sigchld', { n: 1 }),
        c.ev('exit', { child: 302, via: 'sigchld' }),
      ]),
      0,
    );
    expect(j.series.version).toBeGreaterThan(before);
    const last = j.series.snapshot().at(-1)!;
    expect(last.zombies).toBe(j.summary.zombies.count);
    expect(last.zombies).toBe(4);
    // Live workers are the most at once in the second (304 and 305), and 304 only at its end.
    expect(last.workers).toBe(2);
    expect(last.workersEnd).toBe(1); // zombies are not live
    expect(last.sigchld).toBe(j.summary.counters.sigchld);
    expect(last.exited).toBe(j.summary.counters.exited);
    expect([last.sigchld, last.exited]).toEqual([1, 2]);
  });

  it('keeps the longest queue of each second and carries the current length into quiet seconds', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(batch(0, runStart(c)), 0);
    j.applyBatch(
      batch(3, [
        c.ev('queue', { length: 3, backlog: 2, t: 1100 }),
        c.ev('queue', { length: 1, backlog: 2, t: 1500 }),
        c.ev('response', { conn: 1, status: 200, headers: [], bytes: 1, t: 1600 }),
        c.ev('response', { conn: 2, status: 200, headers: [], bytes: 1, t: 4200 }),
      ]),
      0,
    );
    const pts = j.series.snapshot();
    expect(pts.map((p) => [p.s, p.queue, p.rps])).toEqual([
      [0, 0, 0],
      [1, 3, 1],
      [2, 1, 0],
      [3, 1, 0],
      [4, 1, 1],
    ]);
  });

  it('plots live workers as the queue is plotted: the most in each second, so short-lived ones are not drawn as none', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(batch(0, runStart(c)), 0);
    const burst = Array.from({ length: 10 }, (_, i) => proc(400 + i, 'worker', 'S'));
    j.applyBatch(
      batch(3, [
        // A burst of 10 workers, each alive for half a second, all gone before the second ends.
        c.ev('proc', { pid: SUPERVISOR, procs: burst, zombies: 0, full: false, t: 1100 }),
        c.ev('proc', { pid: SUPERVISOR, procs: [], zombies: 0, full: false, gone: burst.map((p) => p.pid), t: 1600 }),
        c.ev('queue', { length: 4, backlog: 5, t: 1200 }),
        c.ev('queue', { length: 0, backlog: 5, t: 1700 }),
        c.ev('response', { conn: 1, status: 200, headers: [], bytes: 1, t: 3500 }),
      ]),
      0,
    );
    expect(j.series.snapshot().map((p) => [p.s, p.workers, p.queue])).toEqual([
      [0, 0, 0],
      [1, 10, 4],
      [2, 0, 0],
      [3, 0, 0],
    ]);
    // Quiet seconds carry on from the level at the end of the last one, not its peak.
    expect(extendTo([pt(1, { workers: 10, workersEnd: 0 })], 3, 0).map((p) => p.workers)).toEqual([10, 0, 0]);
  });

  it('starts over with a new master', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(batch(0, [...runStart(c), c.ev('exit', { child: 301, via: 'proc' })]), 0);
    expect(j.series.snapshot().at(-1)?.exited).toBe(1);
    j.applyBatch(batch(4, [c.ev('master-start', { pid: SUPERVISOR, child: 900, argv: [] })]), 0);
    expect(j.series.snapshot()).toEqual([]);
  });
});

const pt = (s: number, over: Partial<Point> = {}): Point => ({ s, zombies: 0, workers: 0, workersEnd: 0, queue: 0, rps: 0, sigchld: 0, exited: 0, ...over });

describe('chart rows', () => {
  it('puts each second’s value over [s, s + 1) and leaves the running second’s rate out', () => {
    const rows = chartRows([pt(14, { rps: 5, zombies: 2 }), pt(15, { rps: 3, zombies: 4 })], true);
    expect(rows.map((r) => [r.x, r.zombies, r.rps, !!r.lead, !!r.current])).toEqual([
      [14, 2, 5, true, false],
      [15, 2, 5, false, false],
      [16, 4, null, false, true],
    ]);
    // Once the run is over, its last second counts.
    expect(chartRows([pt(3, { rps: 7 })], false).at(-1)?.rps).toBe(7);
  });

  it('reaches the present while the run is quiet, holding levels with no responses', () => {
    const pts = extendTo([pt(2, { zombies: 10, rps: 7, queue: 5 })], 5, 0);
    expect(pts.map((p) => [p.s, p.zombies, p.rps, p.queue])).toEqual([
      [2, 10, 7, 5],
      [3, 10, 0, 0],
      [4, 10, 0, 0],
      [5, 10, 0, 0],
    ]);
    expect(lastSecondRps(pts, 5)).toBe(0);
    expect(lastSecondRps([pt(2, { rps: 7 }), pt(3, { rps: 1 })], 3)).toBe(7);
    expect(lastSecondRps([pt(2, { rps: 7 })], 9)).toBe(0);
  });

  it('labels axes with evenly spaced round numbers', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(4)).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(10)).toEqual([0, 5, 10]);
    expect(niceTicks(12)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(1900)).toEqual([0, 500, 1000, 1500, 2000]);
    for (const m of [3, 7, 33, 260]) {
      const t = niceTicks(m);
      const steps = new Set(t.slice(1).map((v, i) => v - t[i]));
      expect(steps.size).toBe(1);
      expect(t.at(-1)!).toBeGreaterThanOrEqual(m);
    }
    expect(timeTicks(14, 16)).toEqual([14, 15, 16]);
    expect(timeTicks(0, 100)).toEqual([0, 30, 60, 90]);
  });
});
