// The renderer's journal: the supervisor's summary reducer applied to batches, process nodes
// from /proc samples (full and diffs), de-duplication by sequence number, bounded memory.
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src-renderer/store/journal';
import { Ring } from '../../src-renderer/store/ring';
import { applyEvent, emptySummary } from '../../src-main/supervisor/summary';
import { batch, Clock, MASTER, oneRequest, proc, runStart, SUPERVISOR } from './renderer-fixtures';

describe('Ring', () => {
  it('keeps the newest items within its capacity, addressed by sequence', () => {
    const r = new Ring<number>(3);
    for (let i = 0; i < 5; i++) r.push(i * 10);
    expect(r.first).toBe(2);
    expect(r.end).toBe(5);
    expect(r.size).toBe(3);
    expect(r.at(1)).toBeUndefined();
    expect(r.at(4)).toBe(40);
    expect(r.collect(() => true)).toEqual([20, 30, 40]);
    expect(r.collect((x) => x > 20, 4)).toEqual([30]);
  });
});

describe('Journal', () => {
  it('counts exactly as the supervisor does', () => {
    const c = new Clock();
    const events = [...runStart(c), ...oneRequest(c, 0, 1, 301, 50001), ...oneRequest(c, 1, 2, 302, 50002)];
    events.push(c.ev('sigchld', { n: 1 }), c.ev('exit', { child: 301, via: 'sigchld' }), c.ev('exit', { child: 302, via: 'proc' }));
    const j = new Journal();
    j.applyBatch(batch(0, events), 0);
    const expected = emptySummary();
    for (const e of events) applyEvent(expected, e);
    expect(j.summary.counters).toEqual(expected.counters);
    expect(j.summary.counters.sigchld).toBe(1);
    expect(j.summary.counters.exited).toBe(2);
    expect(j.run().master).toEqual({ pid: MASTER, host: '127.0.0.1', port: 40000, backlog: 5 });
  });

  it('skips events it has already seen (a batch overlapping the snapshot)', () => {
    const c = new Clock();
    const events = [...runStart(c), ...oneRequest(c, 0, 1, 301, 50001)];
    const j = new Journal();
    j.applyBatch(batch(0, events.slice(0, 6)), 0);
    const applied = j.applyBatch(batch(3, events.slice(3)), 0);
    expect(applied).toBe(events.length - 6);
    expect(j.timeline.size).toBe(events.length);
    expect(j.summary.counters.accepted).toBe(1);
    expect(j.timeline.collect(() => true).map((x) => x.seq)).toEqual(events.map((_, i) => i));
  });

  it('starts from a snapshot without counting its events twice', () => {
    const c = new Clock();
    const events = [...runStart(c), ...oneRequest(c, 0, 1, 301, 50001)];
    const summary = emptySummary();
    for (const e of events) applyEvent(summary, e);
    const j = new Journal();
    j.applySnapshot({ summary, events, nextSeq: events.length }, 0);
    expect(j.summary.counters).toEqual(summary.counters);
    expect(j.convs.size).toBe(1);
    // The first live batch repeats the last snapshot event: ignored.
    j.applyBatch(batch(events.length - 1, [events[events.length - 1], c.ev('accept', { conn: 2, peer: { address: '127.0.0.1', port: 50009 } })]), 0);
    expect(j.summary.counters.accepted).toBe(2);
  });

  it('shows zombies from /proc, applies diffs, and fades reaped workers', () => {
    const c = new Clock();
    const j = new Journal();
    const start = runStart(c);
    const workers = [301, 302, 303].map((pid) => proc(pid, 'worker', 'Z'));
    const events = [
      ...start,
      c.ev('proc', { pid: SUPERVISOR, procs: workers, zombies: 3, full: false }),
      c.ev('proc', { pid: SUPERVISOR, procs: [proc(302, 'worker', 'Z')], zombies: 2, full: false, gone: [301] }),
    ];
    j.applyBatch(batch(0, events), 1000);
    const nodes = j.procs.nodes();
    const byPid = new Map(nodes.map((n) => [n.pid, n]));
    expect(j.procs.zombies.count).toBe(2);
    expect(byPid.get(302)?.state).toBe('zombie');
    expect(byPid.get(303)?.state).toBe('zombie');
    expect(byPid.get(301)?.state).toBe('reaped');
    expect(byPid.get(MASTER)?.state).toBe('sleeping');
    // After the fade the reaped one is gone for good.
    j.procs.tick(1000 + 10_000);
    expect(j.procs.nodes().some((n) => n.pid === 301)).toBe(false);
  });

  it('draws a worker the master forked before /proc has sampled it, then settles on /proc', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(batch(0, [...runStart(c), c.ev('fork', { conn: 1, child: 401, spawnMs: 1, role: 'connection' })]), 0);
    expect(j.procs.nodes().find((n) => n.pid === 401)?.state).toBe('starting');
    c.t += 200;
    j.applyBatch(batch(4, [c.ev('proc', { pid: SUPERVISOR, procs: [proc(SUPERVISOR, 'supervisor', 'S', 1), proc(MASTER, 'master')], zombies: 0 })]), 200);
    // Sampled after its start and absent: it came and went.
    expect(j.procs.nodes().find((n) => n.pid === 401)?.state).toBe('reaped');
  });

  it('keeps an unexpected master exit for the banner, not an asked-for one', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(batch(0, [...runStart(c), c.ev('master-exit', { pid: SUPERVISOR, code: 0, signal: null, stderr: [], expected: true })]), 0);
    expect(j.run().masterExit).toBeNull();
    expect(j.run().running).toBe(false);
    j.applyBatch(batch(4, [...runStart(c), c.ev('master-exit', { pid: SUPERVISOR, code: 1, signal: null, stderr: ['boom'], expected: false, message: 'the app failed to load' })]), 0);
    expect(j.run().masterExit?.code).toBe(1);
    expect(j.run().lastError).toBe('the app failed to load');
  });

  it('stays bounded however many events arrive', () => {
    const c = new Clock();
    const j = new Journal(1000, 50);
    j.applyBatch(batch(0, runStart(c)), 0);
    let seq = 3;
    for (let i = 0; i < 400; i++) {
      const evs = oneRequest(c, i, i + 1, 1000 + i, 20000 + i);
      j.applyBatch(batch(seq, evs), 0);
      seq += evs.length;
    }
    expect(j.timeline.size).toBe(1000);
    expect(j.convs.size).toBeLessThanOrEqual(50);
    expect(j.summary.counters.accepted).toBe(400);
    expect(j.series.snapshot().length).toBeLessThanOrEqual(181);
  });
});
