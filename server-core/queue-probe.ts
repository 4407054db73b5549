// The accept-queue probe (the backlog lesson): samples the listener's queue length from TCP_INFO on
// a timer — so it keeps running while the iterative model is busy inside the app and the
// queue fills — and reports each change, coalesced to at most one report per 20 ms.
// Sampling costs a few µs; it runs every few ms while connections are coming, slower when idle,
// and right after accepts — at most once per ms, since a server can accept thousands a second.

export interface QueueSample {
  length: number;
  backlog: number;
}

export interface QueueProbeOptions {
  /** Reads the kernel's numbers (Listener.queue()). May throw: the probe then stops. */
  sample: () => QueueSample;
  /** Told about every change (after coalescing). */
  report: (q: QueueSample) => void;
  /** Told once when sampling fails (not Linux, listener closed…); the probe stops. */
  onUnavailable?: (err: unknown) => void;
  /** At most one report per this many ms (default 20). */
  minGapMs?: number;
  /** Sampling interval while connections are arriving or waiting (default 5 ms). */
  busyMs?: number;
  /** Sampling interval when idle (default 25 ms). */
  idleMs?: number;
  /** How long after the last sign of traffic the probe stays busy (default 2000 ms). */
  busyForMs?: number;
  /** poke() samples only when the last sample is at least this old (default 1 ms). */
  pokeGapMs?: number;
  now?: () => number;
}

export class QueueProbe {
  private readonly o: Required<Omit<QueueProbeOptions, 'onUnavailable'>> & Pick<QueueProbeOptions, 'onUnavailable'>;
  private timer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private running = false;
  /** What was last reported, and when. */
  private reported: QueueSample | null = null;
  private reportedAt = -Infinity;
  /** What the kernel said last. */
  private latest: QueueSample | null = null;
  private activeAt = -Infinity;
  private sampledAt = -Infinity;

  constructor(opts: QueueProbeOptions) {
    this.o = { minGapMs: 20, busyMs: 5, idleMs: 25, busyForMs: 2000, pokeGapMs: 1, now: () => performance.now(), ...opts };
  }

  /** Reports the starting state (it carries the backlog) and starts sampling. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /** Samples now and stays in fast sampling for a while: call right after an accept. */
  poke(): void {
    if (!this.running) return;
    const now = this.o.now();
    this.activeAt = now;
    // Reports are at least 20 ms apart: a sample less than a ms old is as good as a new one,
    // and the busy timer samples again within busyMs anyway.
    if (now - this.sampledAt >= this.o.pokeGapMs) this.sampleOnce(now);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.timer = this.flushTimer = null;
  }

  /** The last value the kernel gave (null before the first sample). */
  get current(): QueueSample | null {
    return this.latest;
  }

  private tick = (): void => {
    this.timer = null;
    if (!this.running) return;
    this.sampleOnce(this.o.now());
    if (!this.running) return;
    const busy = (this.latest?.length ?? 0) > 0 || this.o.now() - this.activeAt < this.o.busyForMs;
    this.timer = setTimeout(this.tick, busy ? this.o.busyMs : this.o.idleMs);
    this.timer.unref();
  };

  private sampleOnce(now: number): void {
    this.sampledAt = now;
    let q: QueueSample;
    try {
      q = this.o.sample();
    } catch (err) {
      this.stop();
      this.o.onUnavailable?.(err);
      return;
    }
    if (q.length > 0) this.activeAt = now;
    this.latest = q;
    if (same(q, this.reported)) return;
    const wait = this.reportedAt + this.o.minGapMs - now;
    if (wait <= 0) this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(this.flush, wait);
      this.flushTimer.unref();
    }
  }

  /** Reports the latest sample if it differs from the last report. */
  private flush = (): void => {
    this.flushTimer = null;
    if (!this.running || !this.latest || same(this.latest, this.reported)) return;
    this.reported = this.latest;
    this.reportedAt = this.o.now();
    this.o.report(this.latest);
  };
}

function same(a: QueueSample | null, b: QueueSample | null): boolean {
  return !!a && !!b && a.length === b.length && a.backlog === b.backlog;
}
