// A one-line progress display for bursts on a terminal: shown once a run has taken more
// than a second, redrawn at most five times a second, erased when the run ends.
import type { Progress } from './engine';
import { summary as words } from './strings';

const SHOW_AFTER_MS = 1000;
const REDRAW_MS = 200;

export class ProgressLine {
  private latest: Progress | null = null;
  private shown = false;
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  update(p: Progress): void {
    this.latest = p;
  }

  private draw(): void {
    const elapsed = performance.now() - this.started;
    if (!this.latest || elapsed < SHOW_AFTER_MS) return;
    const p = this.latest;
    const text = words.progress(p.done, p.total, p.open, p.errors, elapsed / 1000);
    this.out.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  /** Erases the line (before the summary is printed). */
  stop(): void {
    clearInterval(this.timer);
    if (this.shown) this.out.write('\r\x1b[2K');
  }
}
