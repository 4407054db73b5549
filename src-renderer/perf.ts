// Measurements for the renderer benchmark (docs/benchmarks.md): frames per second and the
// delay from a batch reaching the renderer to its events being committed to the DOM.
// Exposed as window.__forkscopePerf; costs one counter per frame.

const WINDOW = 2000;

class Perf {
  private latencies: number[] = [];
  private waiting: number | null = null;
  private frames: number[] = [];
  private running = false;

  /** A flush applied batches that arrived at `oldest` (performance.now()). */
  published(oldest: number): void {
    if (this.waiting == null || oldest < this.waiting) this.waiting = oldest;
  }

  /** React committed what was published (called from a layout effect). */
  committed(now: number): void {
    if (this.waiting == null) return;
    this.latencies.push(now - this.waiting);
    if (this.latencies.length > WINDOW) this.latencies.splice(0, this.latencies.length - WINDOW);
    this.waiting = null;
  }

  /** Counts animation frames from now on (browser only). */
  startFrames(): void {
    if (this.running || typeof requestAnimationFrame !== 'function') return;
    this.running = true;
    const tick = (t: number): void => {
      this.frames.push(t);
      if (this.frames.length > 600) this.frames.splice(0, this.frames.length - 600);
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
}

export const perf = new Perf();
