// Per-second samples for the charts: zombies (kernel), live workers (kernel), queue length,
// responses per second, SIGCHLD deliveries and child exits (cumulative, for lesson 8).
import type { ForkscopeEvent } from '../../server-core/events';

export interface Point {
  /** Second of the run clock. */
  s: number;
  zombies: number;
  workers: number;
  queue: number;
  rps: number;
  sigchld: number;
  exited: number;
}

export const SERIES_SECONDS = 180;

const TRACKED = new Set<string>(['proc', 'queue', 'response', 'sigchld', 'exit']);

export class Series {
  private points: Point[] = [];
  private cur: Point | null = null;
  private queueNow = 0;
  version = 0;

  apply(e: ForkscopeEvent): void {
    if (e.type === 'master-start') {
      this.clear();
      return;
    }
    if (!TRACKED.has(e.type)) return;
    const p = this.at(e.t);
    switch (e.type) {
      case 'proc':
        p.zombies = e.zombies;
        p.workers = e.procs.filter((x) => x.role === 'worker' && x.state !== 'Z').length;
        break;
      case 'queue':
        this.queueNow = e.length;
        p.queue = Math.max(p.queue, e.length);
        break;
      case 'response':
        p.rps++;
        break;
      case 'sigchld':
        p.sigchld = Math.max(p.sigchld, e.n);
        break;
      case 'exit':
        p.exited++;
        break;
      default:
        return;
    }
  }

  /** Completed seconds plus the current one, oldest first. */
  snapshot(): Point[] {
    return this.cur ? [...this.points, { ...this.cur }] : [...this.points];
  }

  clear(): void {
    this.points = [];
    this.cur = null;
    this.queueNow = 0;
    this.version++;
  }

  private at(t: number): Point {
    const s = Math.floor(t / 1000);
    const cur = this.cur;
    if (cur && s === cur.s) return cur;
    if (cur && s < cur.s) {
      // The clock went back: a new run with a new origin.
      if (cur.s - s > 2) this.clear();
      else return cur;
    }
    if (this.cur) {
      const prev = this.cur;
      this.points.push(prev);
      // Seconds with no event carry the levels forward (no requests in them).
      for (let g = prev.s + 1; g < s && g - prev.s <= SERIES_SECONDS; g++) this.points.push({ ...prev, s: g, rps: 0, queue: this.queueNow });
      if (this.points.length > SERIES_SECONDS) this.points.splice(0, this.points.length - SERIES_SECONDS);
    }
    const last = this.cur;
    this.cur = last
      ? { s, zombies: last.zombies, workers: last.workers, queue: this.queueNow, rps: 0, sigchld: last.sigchld, exited: last.exited }
      : { s, zombies: 0, workers: 0, queue: 0, rps: 0, sigchld: 0, exited: 0 };
    this.version++;
    return this.cur;
  }
}
