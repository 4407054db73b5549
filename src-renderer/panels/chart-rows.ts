// The per-second points as the charts draw them, with nothing invented: each second is a flat
// step over [s, s + 1) — no line between two samples suggests a value nobody measured.
// While the server runs the charts reach the present: the supervisor reports /proc and the
// accept queue when they change, so seconds without events held the same levels, with no
// responses in them.
import { runNow } from '../store/journal';
import { SERIES_SECONDS, type Point } from '../store/series';

export interface Row {
  /** The end of the second the row covers: [x - 1, x). Drawn with a step *before* x. */
  x: number;
  zombies: number;
  workers: number;
  queue: number;
  /** null for the second still running (its count is not complete). */
  rps: number | null;
  sigchld: number;
  exited: number;
  /** The invisible row that opens the first step (no hover). */
  lead?: boolean;
  /** The second still running. */
  current?: boolean;
}

/** The run clock's current second, from the newest event's time and when it arrived. */
export function secondAt(clock: { t: number; at: number }, now: number): number {
  return Math.floor(runNow(clock, now) / 1000);
}

/**
 * Carries the series on to `nowS` (levels held, no responses, the queue at its current
 * length, the workers as many as were alive at the end of the last second) when the run is
 * live and quiet.
 */
export function extendTo(points: Point[], nowS: number, queueNow: number): Point[] {
  const last = points[points.length - 1];
  if (!last || nowS <= last.s) return points;
  const out = points.slice();
  for (let s = Math.max(last.s + 1, nowS - SERIES_SECONDS + 1); s <= nowS; s++) out.push({ ...last, s, rps: 0, queue: queueNow, workers: last.workersEnd });
  return out.length > SERIES_SECONDS ? out.slice(out.length - SERIES_SECONDS) : out;
}

/** Responses in the last second that is over (0 when nothing came in it). */
export function lastSecondRps(points: Point[], nowS: number): number {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p.s === nowS - 1) return p.rps;
    if (p.s < nowS - 1) return 0;
  }
  return 0;
}

/** Rows for the step charts; `running`: the last point's second is not over yet. */
export function chartRows(points: Point[], running: boolean): Row[] {
  if (points.length === 0) return [];
  const rows: Row[] = points.map((p, i) => {
    const current = running && i === points.length - 1;
    return { x: p.s + 1, zombies: p.zombies, workers: p.workers, queue: p.queue, rps: current ? null : p.rps, sigchld: p.sigchld, exited: p.exited, current };
  });
  const first = rows[0];
  rows.unshift({ ...first, x: first.x - 1, rps: first.rps, lead: true, current: false });
  return rows;
}

/** 0, a round step, …, a top at or above `max`: at most five ticks, evenly spaced. */
export function niceTicks(max: number): number[] {
  const top = Math.max(1, Math.ceil(max));
  const step = smallestStep(top);
  const ticks: number[] = [];
  for (let v = 0; v < top + step; v += step) ticks.push(v);
  return ticks;
}

/** The smallest of 1, 2, 5, 10, 20, 50… that covers `top` in four steps or fewer. */
function smallestStep(top: number): number {
  for (let p = 1; p <= 1e9; p *= 10) for (const m of [1, 2, 5]) if (Math.ceil(top / (m * p)) <= 4) return m * p;
  return 1e9;
}

/** Seconds to label on the time axis: whole seconds, about six of them. */
export function timeTicks(from: number, to: number): number[] {
  const span = Math.max(1, to - from);
  const step = [1, 2, 5, 10, 15, 30, 60].find((s) => span / s <= 6) ?? 120;
  const out: number[] = [];
  for (let s = Math.ceil(from / step) * step; s <= to; s += step) out.push(s);
  return out;
}
