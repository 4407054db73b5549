// One timeline for the three streams (master, client, kernel): events wait a short reorder
// window so late arrivals from the pipes still take their place by time, then enter the
// bounded history in order, update the summary, and go to subscribers in batches — at most
// 60 a second, one array each, never one message per event.
import type { ForkscopeEvent, Source } from '../../server-core/events';
import { now as clockNow } from '../../server-core/clock';
import { FirstByteHold } from './first-byte-hold';
import { Ring } from './history';
import { applyEvent, cloneSummary, emptySummary } from './summary';
import type { Batch, Snapshot, Summary } from './types';

export interface TimelineOptions {
  /** Events kept in the history (default 100,000). */
  historySize?: number;
  /** Batches per second at most (default 60). */
  maxBatchesPerSecond?: number;
  /** How long an event waits at least for earlier ones still in a pipe, ms (default 20). */
  reorderMs?: number;
  /** The window grows with the observed pipe delay, up to this many ms (default 250). */
  maxReorderMs?: number;
  /** Events a new subscriber's snapshot carries at most (default 10,000). */
  snapshotEvents?: number;
  now?: () => number;
}

export type Subscriber = (batch: Batch) => void;

/**
 * The reorder window's floor. Measured under 2,000 events/s on a loaded 2-core machine
 * (docs/benchmarks.md, renderer section): a master event reaches the supervisor 0.5 ms after it
 * happened at the median and 11–18 ms at p99; client and kernel events are on time. Longer
 * delays come as stalls of the master process (25–90 ms), which no fixed window short of
 * 100 ms absorbs; the window grows after the first late event instead (windowMs).
 */
const REORDER_MS = 20;
/** The grown window gives back this much per ms (200 ms per second) once delays stop. */
const LAG_DECAY_PER_MS = 0.2;
/** Margin over the worst recent delay. */
const LAG_MARGIN_MS = 10;

/**
 * The run's clock read through performance.now() (both are CLOCK_MONOTONIC in Node): a double
 * instead of a BigInt per call, for a check made on every event.
 */
function fastClock(): () => number {
  performance.now(); // the first call loads perf_hooks: keep that out of the calibration
  const before = clockNow();
  const perf = performance.now();
  const base = (before + clockNow()) / 2 - perf;
  return () => performance.now() + base;
}

export class Timeline {
  private readonly history: Ring<ForkscopeEvent>;
  private readonly summaryState: Summary = emptySummary();
  private readonly subscribers = new Set<Subscriber>();
  private readonly released = new Set<(e: ForkscopeEvent) => void>();
  private pending: ForkscopeEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;
  private readonly minIntervalMs: number;
  private readonly reorderMs: number;
  private readonly maxReorderMs: number;
  /** Recent worst arrival delay (now − t at push), decaying by 200 ms per second. */
  private lagPeak = 0;
  private lagAt = 0;
  private readonly snapshotEvents: number;
  private readonly now: () => number;
  private readonly firstBytes = new FirstByteHold();
  /** Batches delivered so far (for tests and the benchmark). */
  batches = 0;

  constructor(opts: TimelineOptions = {}) {
    this.history = new Ring(opts.historySize ?? 100_000);
    // Half a millisecond over 1000/60 so that no one-second window can hold 61 batches.
    this.minIntervalMs = 1000 / (opts.maxBatchesPerSecond ?? 60) + 0.5;
    this.reorderMs = opts.reorderMs ?? REORDER_MS;
    this.maxReorderMs = Math.max(this.reorderMs, opts.maxReorderMs ?? 250);
    this.snapshotEvents = opts.snapshotEvents ?? 10_000;
    this.now = opts.now ?? fastClock();
  }

  /** Adds an event already on the supervisor's clock, tagged with its source. */
  push(event: ForkscopeEvent, source: Source): void {
    event.source = source;
    this.noteLag(this.now() - event.t);
    this.firstBytes.arrived(event);
    this.pending.push(event);
    this.schedule();
  }

  /** Catch up with one snapshot, then batches. */
  subscribe(onBatch: Subscriber): { snapshot: Snapshot; unsubscribe(): void } {
    const snapshot: Snapshot = {
      summary: cloneSummary(this.summaryState),
      events: this.history.last(this.snapshotEvents),
      nextSeq: this.history.nextSeq,
    };
    this.subscribers.add(onBatch);
    return { snapshot, unsubscribe: () => void this.subscribers.delete(onBatch) };
  }

  /** Called for each event as it enters the history (after the summary took it in). */
  onRelease(fn: (e: ForkscopeEvent) => void): () => void {
    this.released.add(fn);
    return () => void this.released.delete(fn);
  }

  summary(): Summary {
    return cloneSummary(this.summaryState);
  }

  /** The history, oldest first (at most `n` newest). */
  events(n?: number): ForkscopeEvent[] {
    return this.history.last(n);
  }

  get size(): number {
    return this.history.size;
  }

  get nextSeq(): number {
    return this.history.nextSeq;
  }

  /** Events that have left the history (the ring is full): the oldest held has this sequence number. */
  get firstSeq(): number {
    return this.history.firstSeq;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Moves ripe events (older than the reorder window; all with `all`) into the history and
   * delivers them as one batch. Respects the batch rate unless `all` is set (tests, shutdown).
   */
  flush(all = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const now = this.now();
    if (!all && now - this.lastFlush < this.minIntervalMs) {
      this.schedule();
      return;
    }
    // Nearly sorted already (each stream is in order): the sort is cheap. Stable on ties.
    this.pending.sort((a, b) => a.t - b.t);
    const cutoff = now - this.windowMs(now);
    let n = this.pending.length;
    if (!all) {
      n = 0;
      // A held first byte holds what came after it too: the history stays in time order.
      while (n < this.pending.length && this.pending[n].t <= cutoff && !this.firstBytes.holds(this.pending[n], now)) n++;
    }
    if (n === 0) {
      this.schedule();
      return;
    }
    const out = n === this.pending.length ? this.pending : this.pending.slice(0, n);
    this.pending = n === this.pending.length ? [] : this.pending.slice(n);
    const seq = this.history.nextSeq;
    for (const e of out) {
      applyEvent(this.summaryState, e);
      this.history.push(e);
      this.firstBytes.released(e);
    }
    for (const e of out) for (const fn of this.released) fn(e);
    if (this.subscribers.size) {
      const batch: Batch = { seq, events: out };
      this.batches++;
      for (const sub of this.subscribers) {
        try {
          sub(batch);
        } catch {
          // A subscriber that throws must not stop the others or the pipeline.
        }
      }
    }
    // Paced from the end of this delivery, so two deliveries are never closer than the interval
    // even when one of them was slow.
    this.lastFlush = this.now();
    if (this.pending.length) this.schedule();
  }

  dispose(): void {
    this.flush(true);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.subscribers.clear();
  }

  /**
   * The reorder window: at least reorderMs, and longer while events arrive late (a loaded
   * machine delays the pipes), so the timeline stays in time order; capped at maxReorderMs.
   */
  windowMs(now: number = this.now()): number {
    const decayed = this.lagPeak - (now - this.lagAt) * LAG_DECAY_PER_MS;
    return Math.min(this.maxReorderMs, Math.max(this.reorderMs, decayed + LAG_MARGIN_MS));
  }

  private noteLag(lag: number): void {
    if (!(lag > 0)) return;
    const now = this.now();
    const decayed = this.lagPeak - (now - this.lagAt) * LAG_DECAY_PER_MS;
    if (lag >= decayed) {
      this.lagPeak = lag;
      this.lagAt = now;
    }
  }

  private schedule(): void {
    if (this.timer || !this.pending.length) return;
    const now = this.now();
    let oldest = Infinity;
    for (const e of this.pending) if (e.t < oldest) oldest = e.t;
    const ripe = oldest + this.windowMs(now) - now;
    const paced = this.lastFlush + this.minIntervalMs - now;
    const delay = Math.max(0, Math.ceil(Math.max(ripe, paced)));
    this.timer = setTimeout(() => this.flush(), delay);
  }
}
