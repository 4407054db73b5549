// Per-second samples for the charts, one Point per second of the run clock (the timeline's
// clock). Every value is what the supervisor's summary held, so a chart's last point and the
// counter cards beside it always agree:
// - levels, as at the last event of that second: zombies (from /proc), SIGCHLD deliveries and
//   child exits (cumulative since the master started — tutorial, Part 3: signals are not queued);
// - per-second figures: the most live workers /proc showed at once in that second, the longest
//   accept queue seen in it (TCP_INFO samples) — both maxima, so a burst of workers that each
//   live half a second is not drawn as none — and responses sent in that second. A peak between
//   two samples can still be missed.
// A new master (`master-start`) starts a new series.
import type { ForkscopeEvent } from '../../server-core/events';
import type { Summary } from '../../src-main/supervisor/types';
import { isLiveWorker } from './procs';

export interface Point {
  /** Second of the run clock: the point covers [s, s + 1). */
  s: number;
  zombies: number;
  /** The most live workers /proc showed at once in this second. */
  workers: number;
  /** Live workers at the end of this second: where the next second starts. */
  workersEnd: number;
  /** The longest queue length reported in this second. */
  queue: number;
  /** Responses sent in this second. */
  rps: number;
  sigchld: number;
  exited: number;
}

export const SERIES_SECONDS = 180;

const TRACKED = new Set<string>(['proc', 'queue', 'response', 'sigchld', 'exit']);

export class Series {
  private points: Point[] = [];
  private cur: Point | null = null;
  /** The queue length now (the last `queue` event): an empty second's longest length. */
  private queueNow = 0;
  /** Live workers now (the last /proc sample): an empty second's most. */
  private workersNow = 0;
  /** Bumped on every change, so the charts are never behind the counters. */
  version = 0;

  /** Applies one event; `s` is the summary after the supervisor's reducer took it in. */
  apply(e: ForkscopeEvent, s: Summary): void {
    if (e.type === 'master-start') {
      this.clear();
      return;
    }
    if (!TRACKED.has(e.type)) return;
    const p = this.at(e.t);
    switch (e.type) {
      case 'proc':
        p.zombies = s.zombies.count;
        this.workersNow = liveWorkers(s);
        p.workers = Math.max(p.workers, this.workersNow);
        p.workersEnd = this.workersNow;
        break;
      case 'queue':
        this.queueNow = e.length;
        p.queue = Math.max(p.queue, e.length);
        break;
      case 'response':
        p.rps++;
        break;
      case 'sigchld':
      case 'exit':
        p.sigchld = s.counters.sigchld;
        p.exited = s.counters.exited;
        break;
      default:
        return;
    }
    this.version++;
  }

  /**
   * After a snapshot replay: its events may start mid-run (the history is bounded), so the
   * current levels are taken from the snapshot's summary, the supervisor's running totals.
   */
  sync(s: Summary): void {
    if (!this.cur) return;
    this.cur.zombies = s.zombies.count;
    this.workersNow = liveWorkers(s);
    this.cur.workers = Math.max(this.cur.workers, this.workersNow);
    this.cur.workersEnd = this.workersNow;
    this.cur.sigchld = s.counters.sigchld;
    this.cur.exited = s.counters.exited;
    this.queueNow = s.queue.length;
    this.version++;
  }

  /** Completed seconds plus the current one (not over yet), oldest first. */
  snapshot(): Point[] {
    return this.cur ? [...this.points, { ...this.cur }] : [...this.points];
  }

  clear(): void {
    this.points = [];
    this.cur = null;
    this.queueNow = 0;
    this.workersNow = 0;
    this.version++;
  }

  /** An independent copy (a replay keeps one per checkpoint). */
  clone(): Series {
    const copy = new Series();
    copy.copyFrom(this);
    return copy;
  }

  /** Becomes a copy of `other` (a replay seek sets the charts from its exact series). */
  copyFrom(other: Series): void {
    this.points = other.points.map((p) => ({ ...p }));
    this.cur = other.cur ? { ...other.cur } : null;
    this.queueNow = other.queueNow;
    this.workersNow = other.workersNow;
    this.version++;
  }

  private at(t: number): Point {
    const s = Math.floor(t / 1000);
    const cur = this.cur;
    if (cur && s === cur.s) return cur;
    if (cur && s < cur.s) {
      // A late event (reorder window): it belongs to a second already closed; count it in
      // the current one rather than rewrite history. A big jump back is a new clock.
      if (cur.s - s > 2) this.clear();
      else return cur;
    }
    if (this.cur) {
      const prev = this.cur;
      this.points.push(prev);
      // Seconds with no event: the levels held, the queue stayed at its last length, and
      // nothing was answered.
      for (let g = prev.s + 1; g < s && g - prev.s <= SERIES_SECONDS; g++) this.points.push({ ...prev, s: g, rps: 0, queue: this.queueNow, workers: this.workersNow });
      if (this.points.length > SERIES_SECONDS) this.points.splice(0, this.points.length - SERIES_SECONDS);
    }
    const last = this.cur;
    this.cur = last
      ? { s, zombies: last.zombies, workers: this.workersNow, workersEnd: this.workersNow, queue: this.queueNow, rps: 0, sigchld: last.sigchld, exited: last.exited }
      : { s, zombies: 0, workers: this.workersNow, workersEnd: this.workersNow, queue: this.queueNow, rps: 0, sigchld: 0, exited: 0 };
    return this.cur;
  }
}

function liveWorkers(s: Summary): number {
  let n = 0;
  for (const p of s.procs) if (isLiveWorker(p)) n++;
  return n;
}
