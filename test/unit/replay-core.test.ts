// Replay in the app (issue 13): a recording opened in the renderer's store, moved through
// forwards and backwards. Whatever way the cursor got somewhere — events applied as a live batch,
// or a snapshot rebuilt from a checkpoint — the panels' numbers must be the supervisor's reducer
// applied to exactly the events before the cursor.
import { describe, expect, it } from 'vitest';
import type { ForkscopeEvent, ProcInfo } from '../../server-core/events';
import { headerLine, makeHeader } from '../../server-core/recording/format';
import { applyEvent, emptySummary } from '../../src-main/supervisor/summary';
import { keyAction } from '../../src-renderer/keyboard';
import { CHECKPOINT_EVERY, indexAt, openRecording, stateAt } from '../../src-renderer/replay/recording';
import { Series } from '../../src-renderer/store/series';
import { createAppStore } from '../../src-renderer/store/store';

const SUP = 100;
const MASTER = 101;

/** A fork run with reaping off then on: forks, exits, zombies in /proc, reaps, a full queue. */
function run(requests: number): ForkscopeEvent[] {
  const out: ForkscopeEvent[] = [];
  let t = 1000;
  const push = (e: Record<string, unknown>): void => void out.push({ ...e, t: (t += 1.5) } as unknown as ForkscopeEvent);
  const proc = (pid: number, role: ProcInfo['role'], state: string): ProcInfo => ({ pid, ppid: role === 'master' ? SUP : MASTER, state, start: 0, cmd: 'node', fds: 5, rssKb: 1000, role });
  push({ type: 'master-start', pid: SUP, source: 'supervisor', child: MASTER, argv: [], config: { model: 'fork', reap: 'none', backlog: 2 } });
  push({ type: 'listening', pid: MASTER, source: 'server', host: '127.0.0.1', port: 8888, backlog: 2, model: 'fork', reap: 'none', app: 'hello', origin: '1' });
  push({ type: 'proc', pid: SUP, source: 'kernel', procs: [proc(SUP, 'supervisor', 'S'), proc(MASTER, 'master', 'S')], zombies: 0, full: true });
  const zombies: number[] = [];
  for (let i = 1; i <= requests; i++) {
    const child = 1000 + i;
    push({ type: 'accept', pid: MASTER, source: 'server', conn: i, peer: { address: '127.0.0.1', port: 40000 + i } });
    if (i % 50 === 0) {
      push({ type: 'queue', pid: MASTER, source: 'server', length: 3, backlog: 2 });
      push({ type: 'queue', pid: MASTER, source: 'server', length: 0, backlog: 2 });
    }
    push({ type: 'fork', pid: MASTER, source: 'server', conn: i, child, spawnMs: 1, role: 'connection' });
    push({ type: 'request', pid: child, source: 'server', conn: i, method: 'GET', path: '/', version: 'HTTP/1.1', headers: [] });
    push({ type: 'response', pid: child, source: 'server', conn: i, status: 200, headers: [], bytes: 5 });
    push({ type: 'close', pid: child, source: 'server', conn: i });
    push({ type: 'exit', pid: MASTER, source: 'server', child, via: 'sigchld' });
    zombies.push(child);
    push({ type: 'proc', pid: SUP, source: 'kernel', procs: [proc(child, 'worker', 'Z')], zombies: zombies.length, full: false, gone: [] });
    if (i % 7 === 0) {
      // Every seventh request a reap-now: the zombies go.
      for (const z of zombies) push({ type: 'reap', pid: MASTER, source: 'server', child: z, code: 0, zombieMs: 3, by: 'reap-now' });
      push({ type: 'proc', pid: SUP, source: 'kernel', procs: [], zombies: 0, full: false, gone: [...zombies] });
      zombies.length = 0;
    }
  }
  return out;
}

const header = makeHeader({ recorder: 'app', settings: { model: 'fork' }, platform: { os: 'linux', release: 't', arch: 'x64', node: '20' }, startedMs: 0, origin: '1' });
const events = run(700); // ~6,000 events: three checkpoints
const text = headerLine(header) + events.map((e) => JSON.stringify(e)).join('\n') + '\n';

function truthAt(index: number) {
  const s = emptySummary();
  const series = new Series();
  for (const e of events.slice(0, index)) {
    applyEvent(s, e);
    series.apply(e, s);
  }
  return { summary: s, points: series.snapshot() };
}

describe('an opened recording', () => {
  it('is indexed with checkpoints and markers', async () => {
    const r = await openRecording(text, 'r.forkscope.jsonl');
    if (!r.ok) throw new Error('refused');
    const rec = r.recording;
    expect(rec.count).toBe(events.length);
    expect(rec.checkpoints.map((c) => c.index)).toEqual(Array.from({ length: Math.floor(events.length / CHECKPOINT_EVERY) + 1 }, (_, i) => i * CHECKPOINT_EVERY));
    expect(rec.markers.filter((m) => m.kind === 'zombie')).toHaveLength(1);
    expect(rec.markers.filter((m) => m.kind === 'queue-full').length).toBeGreaterThan(1);
    expect(indexAt(rec, events[10].t)).toBe(11);
    expect(indexAt(rec, events[0].t - 1)).toBe(0);
  });

  it('the state at any index is the reducer over the events before it (across checkpoints)', async () => {
    const r = await openRecording(text, 'r');
    if (!r.ok) throw new Error('refused');
    for (const index of [0, 1, 57, CHECKPOINT_EVERY - 1, CHECKPOINT_EVERY, CHECKPOINT_EVERY + 333, events.length]) {
      const { snapshot, series } = stateAt(r.recording, index);
      const truth = truthAt(index);
      expect(snapshot.summary).toEqual(truth.summary);
      expect(series.snapshot()).toEqual(truth.points);
      expect(snapshot.nextSeq).toBe(index);
      expect(snapshot.events).toEqual(events.slice(Math.max(0, index - 5_000), index));
    }
  });

  it('damage and refusals come back as data', async () => {
    const cut = await openRecording(text.slice(0, text.length - 20), 'cut');
    expect(cut.ok && cut.recording.damage?.kind).toBe('truncated');
    expect(await openRecording('hello\n', 'x')).toEqual({ ok: false, refusal: { kind: 'foreign', looksLike: 'text' } });
  });
});

describe('the store in replay', () => {
  it('forwards, backwards, by time and by step: the panels show the reducer at the cursor', async () => {
    const store = createAppStore(null);
    await store.getState().openRecordingText(text, 'r.forkscope.jsonl');
    const s = () => store.getState();
    expect(s().replay?.index).toBe(events.length); // opens at the end
    const check = () => {
      const truth = truthAt(s().replay!.index).summary;
      expect(s().counters).toEqual(truth.counters);
      expect(s().zombies.count).toBe(truth.zombies.count);
      expect(s().clock.t).toBe(s().replay!.t); // the run's clock stands at the cursor
    };
    check();
    for (const t of [events[3000].t, events[100].t, events[120].t, events[4000].t, events[10].t]) {
      s().seekReplay(t);
      check();
    }
    // One event at a time, backwards across a reap and forwards again.
    const reapAt = events.findIndex((e, i) => i > 200 && e.type === 'reap');
    s().seekReplay(events[reapAt + 3].t);
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      s().stepReplay(-1);
      check();
      counts.push(s().counters.reaped);
    }
    expect(new Set(counts).size).toBeGreaterThan(1); // the reaped count moved as the reaps were undone
    s().stepReplay(1);
    check();
  });

  it('live batches are not applied while a recording is shown; back to live clears it', async () => {
    const store = createAppStore(null);
    await store.getState().openRecordingText(text, 'r');
    const before = store.getState().counters;
    store.getState().receive([{ seq: 0, events: [events[3]] }], 0);
    expect(store.getState().counters).toEqual(before);
    store.getState().closeReplay();
    expect(store.getState().replay).toBeNull();
    expect(store.getState().journal.timeline.end).toBe(0);
  });

  it('a file that is no recording stays out of replay and says why', async () => {
    const store = createAppStore(null);
    await store.getState().openRecordingText('{"type":"accept","t":1,"pid":2,"conn":1,"peer":{"address":"x","port":1}}\n', 'serve.json');
    expect(store.getState().replay).toBeNull();
    expect(store.getState().openRefusal).toEqual({ name: 'serve.json', refusal: { kind: 'foreign', looksLike: 'events' } });
  });
});

describe('keys', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean }> = {}, tag = 'BODY', inputType?: string) =>
    keyAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, tag, inputType, ...mods });
  it('Ctrl/⌘+S saves (in a field too); arrows step, but not on the scrubber', () => {
    expect(key('s', { ctrlKey: true })).toBe('save');
    expect(key('s', { metaKey: true }, 'INPUT', 'text')).toBe('save');
    expect(key('ArrowLeft')).toBe('back');
    expect(key('ArrowRight')).toBe('forward');
    expect(key('ArrowLeft', {}, 'INPUT', 'range')).toBeNull();
    expect(key('ArrowLeft', {}, 'INPUT', 'text')).toBeNull();
  });
});
