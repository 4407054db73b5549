// Measurements for the benchmarks (docs/benchmarks.md): frames per second, the delay from a
// batch reaching the renderer to its events being committed to the DOM, and — while a trace
// is on (bench/latency.mjs) — each event's way through the page: arrival, the timeline commit
// that first lists it, and the end of the first frame painted after that commit.
// Exposed as window.__forkscopePerf; without a trace it costs one counter per frame.

const WINDOW = 2000;
/** Events traced at most (a 30 s run at 2,000 events/s is 60,000). */
const TRACE_CAP = 200_000;

/** One traced event, all times in performance.now() ms except `t` (the supervisor's clock). */
export interface TraceRow {
  t: number;
  arrived: number;
  committed: number;
  painted: number;
}

/** What the feed hands over after applying a flush: the events that entered the timeline. */
export interface AppliedEvent {
  /** Position in the page's timeline (what Timeline's `end` counts). */
  pos: number;
  /** Position in the supervisor's history (what Batch.seq counts). */
  seq: number;
  t: number;
}

class Perf {
  private latencies: number[] = [];
  private waiting: number | null = null;
  private frames: number[] = [];
  private running = false;
  // The trace: batch arrivals by seq range, applied events waiting for the timeline to list
  // them, listed events waiting for the next frame, and the finished rows.
  private tracing = false;
  private arrivals: { seq: number; end: number; at: number }[] = [];
  private unlisted: { pos: number; t: number; arrived: number }[] = [];
  private rows: TraceRow[] = [];
  /** Between a frame's first callback and the end of its painting. */
  private inFrame = false;
  private thisFrame: { t: number; arrived: number; committed: number }[] = [];
  private nextFrame: { t: number; arrived: number; committed: number }[] = [];

  /** A flush applied batches that arrived at `oldest` (performance.now()). */
  published(oldest: number): void {
    if (this.waiting == null || oldest < this.waiting) this.waiting = oldest;
  }

  /**
   * The timeline committed its list (called from a layout effect); `end` is the timeline
   * position it lists up to, for the trace.
   */
  committed(now: number, end?: number): void {
    if (this.tracing && end !== undefined) this.listed(now, end);
    if (this.waiting == null) return;
    this.latencies.push(now - this.waiting);
    if (this.latencies.length > WINDOW) this.latencies.splice(0, this.latencies.length - WINDOW);
    this.waiting = null;
  }

  /** Starts (clearing) or stops tracing every event's way through the page. */
  trace(on: boolean): void {
    this.tracing = on;
    if (on) {
      this.arrivals = [];
      this.unlisted = [];
      this.thisFrame = [];
      this.nextFrame = [];
      this.rows = [];
    }
  }

  get tracingOn(): boolean {
    return this.tracing;
  }

  /** A batch of `n` events starting at history position `seq` reached the page at `at`. */
  arrived(seq: number, n: number, at: number): void {
    if (this.tracing) this.arrivals.push({ seq, end: seq + n, at });
  }

  /** The feed applied these events (in order); each takes the arrival time of its batch. */
  applied(events: AppliedEvent[]): void {
    if (!this.tracing) return;
    let i = 0;
    for (const e of events) {
      while (i < this.arrivals.length && this.arrivals[i].end <= e.seq) i++;
      const batch = this.arrivals[i];
      if (!batch || batch.seq > e.seq) continue; // from a snapshot, not a live batch
      this.unlisted.push({ pos: e.pos, t: e.t, arrived: batch.at });
    }
    // Arrivals wholly applied are done with.
    const last = events.at(-1);
    if (last) this.arrivals = this.arrivals.filter((a) => a.end > last.seq + 1);
  }

  /** The finished trace (events listed and shown in a frame). */
  traceRows(): TraceRow[] {
    return this.rows;
  }

  /**
   * Counts animation frames from now on (browser only), and marks the end of each frame's
   * rendering: a message posted from the frame's first callback is handled as the next task,
   * after the browser has laid out and painted that frame.
   */
  startFrames(): void {
    if (this.running || typeof requestAnimationFrame !== 'function') return;
    this.running = true;
    const channel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
    if (channel) channel.port1.onmessage = () => this.framePainted();
    const tick = (t: number): void => {
      this.frames.push(t);
      if (this.frames.length > 600) this.frames.splice(0, this.frames.length - 600);
      // Commits made since the last frame show in this one; so do those made in this frame's
      // callbacks (inFrame) before it is painted. Only while tracing: otherwise the app would
      // pay a task per frame for a measurement nobody takes.
      if (this.tracing) {
        this.inFrame = true;
        if (this.nextFrame.length) {
          for (const u of this.nextFrame) this.thisFrame.push(u);
          this.nextFrame = [];
        }
        channel?.port2.postMessage(null);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  /** Frames per second over the last `ms`, and event-to-screen latency percentiles. */
  stats(ms = 5000): { fps: number; latencyP50: number; latencyP95: number; samples: number } {
    const end = this.frames.at(-1) ?? 0;
    const recent = this.frames.filter((t) => t >= end - ms);
    const span = recent.length > 1 ? recent[recent.length - 1] - recent[0] : 0;
    const fps = span > 0 ? ((recent.length - 1) * 1000) / span : 0;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pct = (p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);
    return { fps, latencyP50: pct(0.5), latencyP95: pct(0.95), samples: sorted.length };
  }

  reset(): void {
    this.latencies = [];
    this.frames = [];
    this.waiting = null;
  }

  /** Events up to `end` are in the committed list: the frame that shows them is waited for. */
  private listed(now: number, end: number): void {
    let n = 0;
    while (n < this.unlisted.length && this.unlisted[n].pos < end) n++;
    if (n === 0) return;
    const into = this.inFrame ? this.thisFrame : this.nextFrame;
    for (const u of this.unlisted.splice(0, n)) into.push({ t: u.t, arrived: u.arrived, committed: now });
  }

  /** The frame begun by the last tick is painted: what it showed is on screen now. */
  private framePainted(): void {
    this.inFrame = false;
    if (!this.thisFrame.length) return;
    const painted = performance.now();
    for (const u of this.thisFrame) if (this.rows.length < TRACE_CAP) this.rows.push({ ...u, painted });
    this.thisFrame = [];
  }
}

export const perf = new Perf();
