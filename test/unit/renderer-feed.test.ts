// The bridge → store feed: batches wait outside React and land once per frame; a snapshot
// comes first and overlapping batches are not counted twice; pause holds the view.
import { describe, expect, it } from 'vitest';
import type { Bridge, InvokeChannel } from '../../src-main/ipc/channels';
import type { Batch, Snapshot } from '../../src-main/supervisor/types';
import { applyEvent, emptySummary } from '../../src-main/supervisor/summary';
import { connectFeed } from '../../src-renderer/store/feed';
import { createAppStore } from '../../src-renderer/store/store';
import { batch, Clock, oneRequest, runStart } from './renderer-fixtures';

function fakeBridge() {
  const listeners = new Set<(b: Batch) => void>();
  const calls: { channel: InvokeChannel; arg: unknown; resolve(v: unknown): void; reject(e: Error): void }[] = [];
  const bridge: Bridge = {
    invoke: ((channel: InvokeChannel, arg: unknown) => new Promise((resolve, reject) => calls.push({ channel, arg, resolve, reject }))) as Bridge['invoke'],
    onBatch(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { bridge, calls, push: (b: Batch) => listeners.forEach((l) => l(b)) };
}

function frames() {
  const queue: (() => void)[] = [];
  return {
    frame: (cb: () => void) => queue.push(cb),
    run: () => queue.splice(0).forEach((cb) => cb()),
    get pending() {
      return queue.length;
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('feed', () => {
  it('applies the snapshot, then batches once per frame without double counting', async () => {
    const c = new Clock();
    const events = [...runStart(c), ...oneRequest(c, 0, 1, 301, 50001)];
    const more = oneRequest(c, 1, 2, 302, 50002);
    const summary = emptySummary();
    for (const e of events) applyEvent(summary, e);
    const snap: Snapshot = { summary, events, nextSeq: events.length };

    const { bridge, calls, push } = fakeBridge();
    const store = createAppStore(bridge);
    const f = frames();
    connectFeed(store, bridge, { frame: f.frame, timer: () => 0 });
    expect(calls.map((x) => x.channel)).toEqual(['timeline:snapshot']);

    // A batch overlapping the snapshot arrives before the snapshot answers.
    push(batch(events.length - 2, [...events.slice(-2), ...more.slice(0, 3)]));
    expect(f.pending).toBe(0);
    calls[0].resolve(snap);
    await tick();
    expect(store.getState().connection).toBe('open');
    expect(store.getState().counters.accepted).toBe(1);

    let notifications = 0;
    store.subscribe(() => notifications++);
    push(batch(events.length + 3, more.slice(3, 6)));
    push(batch(events.length + 6, more.slice(6)));
    expect(f.pending).toBe(1);
    f.run();
    expect(notifications).toBe(1);
    const s = store.getState();
    expect(s.counters.accepted).toBe(2);
    expect(s.counters.responses).toEqual({ '200': 2 });
    expect(s.timelineEnd).toBe(events.length + more.length);
    expect(s.journal.convs.size).toBe(2);
  });

  it('holds the view while paused and shows everything on resume', async () => {
    const c = new Clock();
    const { bridge, calls, push } = fakeBridge();
    const store = createAppStore(bridge);
    const f = frames();
    connectFeed(store, bridge, { frame: f.frame, timer: () => 0 });
    calls[0].resolve({ summary: emptySummary(), events: [], nextSeq: 0 });
    await tick();
    store.getState().togglePause();
    push(batch(0, runStart(c)));
    f.run();
    expect(store.getState().held).toBe(3);
    expect(store.getState().timelineEnd).toBe(0);
    expect(store.getState().journal.timeline.size).toBe(3);
    store.getState().togglePause();
    expect(store.getState().held).toBe(0);
    expect(store.getState().timelineEnd).toBe(3);
    expect(store.getState().run.running).toBe(true);
  });

  it('takes a fresh snapshot after the bridge reconnects', async () => {
    const c = new Clock();
    const { bridge, calls } = fakeBridge();
    const store = createAppStore(bridge);
    let reconnect: () => void = () => {};
    connectFeed(store, bridge, { frame: () => 0, timer: () => 0, onReconnect: (l) => ((reconnect = l), () => {}) });
    calls[0].resolve({ summary: emptySummary(), events: runStart(c), nextSeq: 3 });
    await tick();
    expect(store.getState().timelineEnd).toBe(3);
    reconnect();
    expect(calls.length).toBe(2);
    calls[1].resolve({ summary: emptySummary(), events: [], nextSeq: 10 });
    await tick();
    expect(store.getState().timelineEnd).toBe(0);
    expect(store.getState().journal.nextSeq).toBe(10);
  });
});

describe('store actions', () => {
  it('starts with the form’s config, switches reaping live, and fires bursts', async () => {
    const c = new Clock();
    const { bridge, calls, push } = fakeBridge();
    const store = createAppStore(bridge, { params: new URLSearchParams('port=0') });
    const f = frames();
    connectFeed(store, bridge, { frame: f.frame, timer: () => 0 });
    calls[0].resolve({ summary: emptySummary(), events: [], nextSeq: 0 });
    await tick();

    const started = store.getState().start();
    expect(store.getState().busy).toBe('starting');
    expect(calls[1]).toMatchObject({ channel: 'server:start', arg: { port: 0, model: 'fork', reap: 'loop' } });
    push(batch(0, runStart(c)));
    f.run();
    calls[1].resolve({ ...emptySummary(), running: true });
    await started;
    expect(store.getState().busy).toBeNull();
    expect(store.getState().run.master?.port).toBe(40000);

    await Promise.all([store.getState().setReap('none'), (async () => (await tick(), calls[2].resolve(null)))()]);
    expect(calls[2]).toMatchObject({ channel: 'server:command', arg: { cmd: 'set-reap', policy: 'none' } });

    store.getState().setClientForm({ clients: '10' });
    const fired = store.getState().fire();
    expect(calls[3]).toMatchObject({ channel: 'client:fire', arg: { mode: 'burst', clients: 10, conns: 1, url: 'http://127.0.0.1:40000/hello' } });
    calls[3].resolve({ total: 10, outcomes: { ok: 10 }, statuses: { '200': 10 }, latencyMs: null, bytes: 440, errors: [], ms: 900 });
    await fired;
    expect(store.getState().lastResult?.total).toBe(10);
    const again = store.getState().fireAgain();
    expect(calls[4]).toMatchObject({ channel: 'client:fire', arg: { mode: 'burst', clients: 10 } });
    calls[4].reject(new Error('the server is gone'));
    await again;
    expect(store.getState().lastFireError).toBe('the server is gone');
  });

  it('says why a start failed', async () => {
    const { bridge, calls } = fakeBridge();
    const store = createAppStore(bridge);
    connectFeed(store, bridge, { frame: () => 0, timer: () => 0 });
    calls[0].resolve({ summary: emptySummary(), events: [], nextSeq: 0 });
    await tick();
    const p = store.getState().start();
    calls[1].reject(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8888'));
    await p;
    expect(store.getState().actionError).toContain('EADDRINUSE');
    store.getState().setForm({ backlog: 'lots' });
    await store.getState().start();
    expect(store.getState().actionError).toBe('Backlog: a whole number, please');
    expect(calls.length).toBe(2);
  });
});
