// A page that joins late (a new tab, a reload) must show exactly what a page open from the start
// shows (issue: ghost workers on a page opened later). The late page gets the supervisor's
// snapshot — its summary (the same reducer) and the newest events — and replays them.
import { describe, expect, it } from 'vitest';
import type { ForkscopeEvent } from '../../server-core/events';
import { applyEvent, emptySummary } from '../../src-main/supervisor/summary';
import type { Snapshot } from '../../src-main/supervisor/types';
import { Journal } from '../../src-renderer/store/journal';
import { FADE_MS } from '../../src-renderer/store/procs';
import { Clock, MASTER, oneRequest, proc, runStart, SUPERVISOR } from './renderer-fixtures';

/** What the supervisor would hand a page subscribing after `events`. */
function snapshotAfter(events: ForkscopeEvent[]): Snapshot {
  const summary = emptySummary();
  for (const e of events) applyEvent(summary, e);
  return { summary, events, nextSeq: events.length };
}

/** The tree a page draws, without the nodes fading out (an early page's lasts FADE_MS). */
function drawn(j: Journal, now: number): string[] {
  j.procs.tick(now);
  return j.procs
    .nodes()
    .map((n) => `${n.pid} ${n.role} ${n.state}`)
    .sort();
}

function both(events: ForkscopeEvent[]): { early: string[]; late: string[] } {
  const early = new Journal();
  early.applyBatch({ seq: 0, events }, 0);
  const late = new Journal();
  late.applySnapshot(snapshotAfter(events), 0);
  return { early: drawn(early, FADE_MS + 1), late: drawn(late, FADE_MS + 1) };
}

describe('a late page shows what an early one shows', () => {
  it('a worker sampled alive, then reaped: gone on both (no ghost "starting" worker)', () => {
    const c = new Clock();
    const events = [
      ...runStart(c),
      ...oneRequest(c, 1, 1, 301, 50001),
      c.ev('proc', { pid: SUPERVISOR, procs: [proc(301, 'worker', 'S')], zombies: 0, full: false }),
      c.ev('sigchld', { n: 1 }),
      c.ev('exit', { child: 301, via: 'sigchld' }),
      c.ev('reap', { child: 301, code: 0, zombieMs: 0.2, by: 'loop' }),
      c.ev('proc', { pid: SUPERVISOR, procs: [], zombies: 0, full: false, gone: [301] }),
    ];
    const { early, late } = both(events);
    expect(late).toEqual(early);
    expect(late).toEqual([`${SUPERVISOR} supervisor sleeping`, `${MASTER} master sleeping`]);
  });

  it('a worker that came and went between two samples (no proc event at all): gone on both', () => {
    const c = new Clock();
    const events = [
      ...runStart(c),
      ...oneRequest(c, 1, 1, 302, 50002),
      c.ev('exit', { child: 302, via: 'sigchld' }),
      c.ev('reap', { child: 302, code: 0, zombieMs: 0.1, by: 'loop' }),
    ];
    const { early, late } = both(events);
    expect(late).toEqual(early);
    expect(late.some((n) => n.startsWith('302'))).toBe(false);
  });

  it('a zombie is drawn once, as a zombie, not also as "starting"', () => {
    const c = new Clock();
    const events = [...runStart(c), ...oneRequest(c, 1, 1, 303, 50003), c.ev('exit', { child: 303, via: 'sigchld' }), c.ev('proc', { pid: SUPERVISOR, procs: [proc(303, 'worker', 'Z')], zombies: 1, full: false })];
    const { early, late } = both(events);
    expect(late).toEqual(early);
    expect(late.filter((n) => n.startsWith('303'))).toEqual(['303 worker zombie']);
  });

  it('after Stop: nothing, on both', () => {
    const c = new Clock();
    const events = [
      ...runStart(c),
      ...oneRequest(c, 1, 1, 304, 50004),
      c.ev('exit', { child: 304, via: 'sigchld' }),
      c.ev('reap', { child: 304, code: 0, zombieMs: 1, by: 'shutdown' }),
      c.ev('stopped', { code: 0 }),
      c.ev('master-exit', { pid: SUPERVISOR, code: 0, signal: null, stderr: [], expected: true }),
      c.ev('proc', { pid: SUPERVISOR, procs: [], zombies: 0, full: false, gone: [SUPERVISOR, MASTER] }),
    ];
    const { early, late } = both(events);
    expect(late).toEqual(early);
    expect(late).toEqual([]);
  });

  it('remembers what a reaped worker last had while alive, and how it was reaped', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(
      {
        seq: 0,
        events: [
          ...runStart(c),
          c.ev('fork', { conn: 1, child: 305, spawnMs: 1, role: 'connection' }),
          c.ev('proc', { pid: SUPERVISOR, procs: [{ ...proc(305, 'worker', 'S'), fds: 7, rssKb: 41000 }], zombies: 0, full: false }),
          c.ev('exit', { child: 305, via: 'sigchld' }),
          c.ev('proc', { pid: SUPERVISOR, procs: [{ ...proc(305, 'worker', 'Z'), fds: null, rssKb: 0 }], zombies: 1, full: false }),
          c.ev('reap', { child: 305, code: 0, zombieMs: 812, by: 'reap-now' }),
        ],
      },
      0,
    );
    expect(j.procs.lastSeen(305)).toMatchObject({ fds: 7, rssKb: 41000 });
    expect(j.procs.reapOf(305)).toMatchObject({ code: 0, zombieMs: 812, by: 'reap-now' });
  });
});
