// One run at a time: the server numbers its connections from #1 in every run, so transcripts,
// the timeline's conn filter, the accept queue's port matching and the process tree must not
// mix a new run with the one before (issue 6).
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src-renderer/store/journal';
import { makeFilter } from '../../src-renderer/panels/timeline-filter';
import { createAppStore, type AppState } from '../../src-renderer/store/store';
import type { ForkscopeEvent } from '../../server-core/events';
import { batch, Clock, MASTER, oneRequest, proc, runStart, SUPERVISOR } from './renderer-fixtures';

const MASTER2 = 900;

/** A second run: the old master exits (asked to), a new one starts on another port. */
function restart(c: Clock): ForkscopeEvent[] {
  return [
    c.ev('master-exit', { pid: SUPERVISOR, code: 0, signal: null, stderr: [], expected: true }),
    c.ev('master-start', { pid: SUPERVISOR, child: MASTER2, argv: ['serve'] }),
    c.ev('listening', { pid: MASTER2, host: '127.0.0.1', port: 41000, backlog: 5, model: 'fork', reap: 'loop', app: 'hello', origin: '0' }),
  ];
}

function firstRun(c: Clock): ForkscopeEvent[] {
  const out = runStart(c);
  for (let i = 0; i < 5; i++) out.push(...oneRequest(c, i, i + 1, 301 + i, 50001 + i));
  return out;
}

describe('a new run', () => {
  it('starts the transcripts afresh: #1 of the new run is the newest, nothing of the old run is listed', () => {
    const c = new Clock();
    const j = new Journal();
    const events = [...firstRun(c), ...restart(c), ...oneRequest(c, 0, 1, 901, 50100).map((e) => (e.pid === MASTER ? { ...e, pid: MASTER2 } : e))];
    j.applyBatch(batch(0, events), 0);
    const list = j.convs.list();
    expect(list.map((x) => x.conn)).toEqual([1]);
    expect(list[0].worker).toBe(901);
    expect(list[0].localPort).toBe(50100);
    expect(j.convs.byServerConn(1)).toBe(list[0]);
    expect(j.run().runNo).toBe(2);
    expect(j.run().runMaster).toBe(MASTER2);
  });

  it('forgets the old run’s waiting clients (no queue slot keeps an old port)', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(
      batch(0, [
        ...runStart(c),
        c.ev('client-connect', { pid: SUPERVISOR, id: 0, host: '127.0.0.1', port: 40000 }),
        c.ev('client-connected', { pid: SUPERVISOR, id: 0, localPort: 52000, ms: 0.2 }),
        c.ev('client-connect', { pid: SUPERVISOR, id: 1, host: '127.0.0.1', port: 40000 }),
      ]),
      0,
    );
    expect(j.convs.queueView().waiting.map((x) => x.localPort)).toEqual([52000]);
    expect(j.convs.queueView().connecting).toHaveLength(1);
    j.applyBatch(batch(7, restart(c)), 0);
    expect(j.convs.queueView()).toEqual({ waiting: [], connecting: [] });
    // The new run's accept on a reused port is a connection of its own.
    j.applyBatch(batch(10, [c.ev('accept', { pid: MASTER2, conn: 1, peer: { address: '127.0.0.1', port: 52000 } })]), 0);
    expect(j.convs.list()).toHaveLength(1);
    expect(j.convs.list()[0].clientId).toBeUndefined();
  });

  it('filters the timeline by conn within the current run only', () => {
    const c = new Clock();
    const j = new Journal();
    const events = [...firstRun(c), ...restart(c), c.ev('accept', { pid: MASTER2, conn: 1, peer: { address: '127.0.0.1', port: 50200 } }), c.ev('close', { pid: MASTER2, conn: 1 })];
    j.applyBatch(batch(0, events), 0);
    const keep = makeFilter({ hidden: [], pid: '', conn: '1' }, (id) => j.convs.get(id)?.conn, j.runNo);
    const rows = j.timeline.collect(keep);
    expect(rows.map((x) => x.e.type)).toEqual(['accept', 'close']);
    expect(rows.every((x) => x.e.pid === MASTER2 && x.run === 2)).toBe(true);
    // Without a run the old run's #1 would match too.
    expect(j.timeline.collect(makeFilter({ hidden: [], pid: '', conn: '1' })).length).toBeGreaterThan(2);
  });

  it('drops the old run’s ghosts from the process tree', () => {
    const c = new Clock();
    const j = new Journal();
    j.applyBatch(batch(0, [...runStart(c), c.ev('proc', { pid: SUPERVISOR, procs: [proc(301, 'worker', 'Z'), proc(302, 'worker', 'S')], zombies: 1, full: false })]), 0);
    // The old master and its workers leave /proc: they fade as reaped…
    j.applyBatch(batch(4, [c.ev('master-exit', { pid: SUPERVISOR, code: 0, signal: null, stderr: [], expected: true }), c.ev('proc', { pid: SUPERVISOR, procs: [], zombies: 0, full: false, gone: [MASTER, 301, 302] })]), 10);
    expect(j.procs.nodes().filter((n) => n.state === 'reaped').map((n) => n.pid).sort((a, b) => a - b)).toEqual([MASTER, 301, 302]);
    // …until a new master starts: then only the supervisor and the new master remain.
    j.applyBatch(batch(6, [c.ev('master-start', { pid: SUPERVISOR, child: MASTER2, argv: ['serve'] }), c.ev('fork', { pid: MASTER2, conn: 1, child: 950, spawnMs: 1, role: 'connection' })]), 20);
    expect(j.procs.nodes().map((n) => [n.pid, n.state])).toEqual([
      [SUPERVISOR, 'sleeping'],
      [950, 'starting'],
    ]);
    expect(j.procs.nodes().find((n) => n.pid === 950)?.conn).toBe(1);
  });

  it('clears the selection and a conn filter made in the old run', () => {
    const c = new Clock();
    const store = createAppStore(null);
    store.getState().receive([batch(0, firstRun(c))], 0);
    const conv = store.getState().journal.convs.list()[2];
    store.getState().selectConv(conv.id);
    store.getState().setFilters({ conn: '3', pid: '' });
    store.setState({ lastResult: { ok: 1 } as unknown as AppState['lastResult'] });
    store.getState().receive([batch(73, [c.ev('accept', { conn: 6, peer: { address: '127.0.0.1', port: 50300 } })])], 0);
    expect(store.getState().selectedConv).toBe(conv.id); // same run: kept
    expect(store.getState().lastResult).not.toBeNull();
    store.getState().receive([batch(74, restart(c))], 0);
    expect(store.getState().selectedConv).toBeNull();
    expect(store.getState().filters.conn).toBe('');
    expect(store.getState().lastResult).toBeNull(); // the old master's answer
    expect(store.getState().run.runNo).toBe(2);
  });

  it('replays a snapshot holding several runs into the last run only', () => {
    const c = new Clock();
    const events = [...firstRun(c), ...restart(c), ...oneRequest(c, 0, 1, 901, 50100)];
    const j = new Journal();
    j.applySnapshot({ summary: j.summary, events, nextSeq: events.length }, 0);
    expect(j.convs.list().map((x) => x.conn)).toEqual([1]);
    expect(j.runNo).toBe(2);
  });
});
