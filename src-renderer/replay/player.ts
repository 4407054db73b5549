// The replay's time cursor. Going forwards it hands the journal the events it passes as a batch,
// exactly as the live feed does; going backwards, or far ahead, it rebuilds the state at the
// cursor from a snapshot (recording.ts stateAt), as a page that joins a live run late does.
// Either way the panels are drawn from the journal by the same code as a live run.
import type { ForkscopeEvent } from '../../server-core/events';
import type { Snapshot } from '../../src-main/supervisor/types';
import type { Series } from '../store/series';
import { eventsIn, firstT, indexAt, lastT, SNAPSHOT_EVENTS, stateAt, type OpenedRecording } from './recording';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;

/** What the player drives: the store's journal, through its two ways in. */
export interface PlayerTarget {
  /** Events [seq, seq + events.length) follow what was shown: apply them. */
  forward(events: ForkscopeEvent[], seq: number): void;
  /** Show this state instead of what was shown. */
  state(snapshot: Snapshot, series: Series): void;
  /** The cursor moved (to redraw the replay bar). */
  moved(): void;
}

export class Player {
  /** Events shown: [0, index). */
  index = 0;
  /** The cursor's time, ms on the recording's clock. */
  t: number;
  playing = false;
  speed = 1;
  /** How long the last move took to bring the journal to the cursor, ms (the benchmark reads it). */
  lastMoveMs = 0;
  readonly start: number;
  readonly end: number;
  private frame: number | null = null;
  private lastFrameAt = 0;

  constructor(
    readonly recording: OpenedRecording,
    private readonly target: PlayerTarget,
    private readonly clock: () => number = () => performance.now(),
    private readonly frames: { request(cb: () => void): number; cancel(id: number): void } = {
      request: (cb) => requestAnimationFrame(cb),
      cancel: (id) => cancelAnimationFrame(id),
    },
  ) {
    // One millisecond before the first event: the state before anything happened.
    this.start = firstT(recording) - 1;
    this.end = lastT(recording);
    this.t = this.start;
  }

  /** Moves the cursor to time `t` (clamped to the recording). */
  seek(t: number): void {
    this.t = Math.min(this.end, Math.max(this.start, t));
    this.goTo(indexAt(this.recording, this.t));
    this.target.moved();
  }

  /** One event forwards or backwards. */
  step(direction: 1 | -1): void {
    this.pause();
    this.seekIndex(this.index + direction);
  }

  /**
   * Shows events [0, index): the cursor stands just after event index − 1 (a marker's event).
   * By position, not time: in the app's timeline a late event can sit after one with a larger `t`.
   */
  seekIndex(index: number): void {
    const to = Math.min(this.recording.count, Math.max(0, index));
    if (to === this.index) return;
    this.goTo(to);
    this.t = to > 0 ? this.recording.tMax[to - 1] : this.start;
    this.target.moved();
  }

  play(): void {
    if (this.playing) return;
    if (this.t >= this.end) this.seek(this.start);
    this.playing = true;
    this.lastFrameAt = this.clock();
    this.frame = this.frames.request(this.tick);
    this.target.moved();
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    if (this.frame !== null) this.frames.cancel(this.frame);
    this.frame = null;
    this.target.moved();
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.target.moved();
  }

  dispose(): void {
    this.pause();
  }

  private readonly tick = (): void => {
    if (!this.playing) return;
    const now = this.clock();
    const dt = (now - this.lastFrameAt) * this.speed;
    this.lastFrameAt = now;
    this.seek(this.t + dt);
    if (this.t >= this.end) {
      this.pause();
      return;
    }
    this.frame = this.frames.request(this.tick);
  };

  /** Shows events [0, to): the events in between when that is the shorter way, else a rebuild. */
  private goTo(to: number): void {
    if (to === this.index) return;
    const began = this.clock();
    if (to > this.index && to - this.index < SNAPSHOT_EVENTS) {
      this.target.forward(eventsIn(this.recording, this.index, to), this.index);
    } else {
      const { snapshot, series } = stateAt(this.recording, to);
      this.target.state(snapshot, series);
    }
    this.index = to;
    this.lastMoveMs = this.clock() - began;
  }
}
