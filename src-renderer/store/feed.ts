// The transport side of the store: batches from the bridge are queued outside React and
// applied in one go per animation frame (with a timer as a fallback, since a hidden tab
// gets no frames). A (re)connected bridge starts with a snapshot; batches that arrive
// before it are kept and de-duplicated by sequence number (Journal.applyBatch).
import type { Bridge } from '../../src-main/ipc/channels';
import type { Batch } from '../../src-main/supervisor/types';
import { perf, type AppliedEvent } from '../perf';
import type { AppState, AppStore } from './store';

export interface FeedOptions {
  /** requestAnimationFrame, or a stand-in in tests. */
  frame?: (cb: () => void) => unknown;
  /** A fallback that runs even when no frames come (hidden tab). */
  timer?: (cb: () => void, ms: number) => unknown;
  now?: () => number;
  /** Fires when the bridge (re)connects; the feed then takes a fresh snapshot. */
  onReconnect?: (listener: () => void) => () => void;
}

/** Most batches held before a snapshot answers (the snapshot supersedes older ones anyway). */
const MAX_EARLY = 600;
const FALLBACK_MS = 250;

export function connectFeed(store: AppStore, bridge: Bridge, opts: FeedOptions = {}): () => void {
  const frame = opts.frame ?? ((cb) => requestAnimationFrame(cb));
  const timer = opts.timer ?? ((cb, ms) => setTimeout(cb, ms));
  const now = opts.now ?? (() => performance.now());
  let pending: Batch[] = [];
  let arrivals: number[] = [];
  let ready = false;
  let scheduled = false;
  let closed = false;
  let generation = 0;

  const flush = (): void => {
    if (!scheduled || closed) return;
    scheduled = false;
    const batches = pending;
    pending = [];
    const oldest = arrivals.length ? Math.min(...arrivals) : now();
    arrivals = [];
    const timeline = store.getState().journal.timeline;
    const from = timeline.end;
    store.getState().receive(batches, now());
    perf.published(oldest);
    if (perf.tracingOn) perf.applied(appliedSince(timeline, from));
  };

  const schedule = (): void => {
    if (scheduled || !ready) return;
    scheduled = true;
    frame(flush);
    timer(flush, FALLBACK_MS);
  };

  const offBatch = bridge.onBatch((batch) => {
    pending.push(batch);
    arrivals.push(now());
    perf.arrived(batch.seq, batch.events.length, arrivals[arrivals.length - 1]);
    if (!ready && pending.length > MAX_EARLY) pending.shift();
    schedule();
  });

  const snapshot = (): void => {
    const mine = ++generation;
    ready = false;
    bridge.invoke('timeline:snapshot', null).then(
      (snap) => {
        if (closed || mine !== generation) return;
        store.getState().receiveSnapshot(snap, now());
        store.getState().setConnection('open');
        ready = true;
        schedule();
      },
      () => {
        if (closed || mine !== generation) return;
        store.getState().setConnection('lost');
      },
    );
  };

  const offReconnect = opts.onReconnect?.(snapshot);
  // Back from a replay: the journal held the recording, so the live run starts over from a snapshot.
  const offReplay = store.subscribe((s, prev) => {
    if (prev.replay && !s.replay) snapshot();
  });
  snapshot();

  return () => {
    closed = true;
    offBatch();
    offReconnect?.();
    offReplay();
  };
}

/** The events a flush put into the timeline (for the latency trace; `proc` rows are hidden by default). */
function appliedSince(timeline: AppState['journal']['timeline'], from: number): AppliedEvent[] {
  const out: AppliedEvent[] = [];
  for (let pos = from; pos < timeline.end; pos++) {
    const x = timeline.at(pos);
    if (x && x.e.type !== 'proc') out.push({ pos, seq: x.seq, t: x.e.t });
  }
  return out;
}
