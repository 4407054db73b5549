// A recording opened in the app. The file's text is kept and indexed (where each event's line
// starts and ends, and its time); events are parsed again when a seek needs them, so a ten-minute
// recording does not hold a million objects. Opening reads every event once: it checks the file
// (server-core/recording/parse.ts, as the CLI does), finds the markers, and keeps a checkpoint
// every CHECKPOINT_EVERY events — the supervisor's summary and the charts' series at that point —
// so a seek starts from the nearest one instead of from the beginning.
import type { ForkscopeEvent } from '../../server-core/events';
import type { RecordingHeader } from '../../server-core/recording/format';
import { RecordingParser, type Damage, type Refusal } from '../../server-core/recording/parse';
import { applyEvent as applySummaryEvent, cloneSummary, emptySummary } from '../../src-main/supervisor/summary';
import type { Snapshot, Summary } from '../../src-main/supervisor/types';
import { Series } from '../store/series';
import { MarkerFinder, type Marker } from './markers';

/** Events between checkpoints: a seek applies at most this many to a checkpoint's summary. */
export const CHECKPOINT_EVERY = 2_000;
/**
 * Events a seek hands the journal, as the supervisor's snapshot hands a page that joins late
 * (its `snapshotEvents`, 10,000 there): the timeline, transcripts and queue are built from them.
 * Half as many here: every seek pays for them, and 5,000 events before the cursor fill the
 * timeline and the transcripts with more than anyone reads at one point of a run
 * (docs/benchmarks.md, replay).
 */
export const SNAPSHOT_EVENTS = 5_000;

interface Checkpoint {
  /** Events before it: the state after events [0, index). */
  index: number;
  summary: Summary;
  series: Series;
}

export interface OpenedRecording {
  name: string;
  header: RecordingHeader;
  damage: Damage | null;
  /** The file as read (saved again as it is). */
  text: string;
  count: number;
  starts: Float64Array;
  ends: Float64Array;
  /** Each event's `t`, and the running maximum (the app's timeline may hold a late event). */
  ts: Float64Array;
  tMax: Float64Array;
  markers: Marker[];
  checkpoints: Checkpoint[];
}

export type OpenResult = { ok: true; recording: OpenedRecording } | { ok: false; refusal: Refusal };

/** Lines read between pauses that let the page draw (and show progress). */
const SLICE = 20_000;

/** Reads and indexes a recording; `progress` gets the share read so far (0–1). */
export async function openRecording(text: string, name: string, progress: (share: number) => void = () => {}): Promise<OpenResult> {
  const parser = new RecordingParser();
  let cap = 1024;
  let starts: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let ends: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let ts: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let count = 0;
  const summary = emptySummary();
  const series = new Series();
  let markers: MarkerFinder | null = null;
  const checkpoints: Checkpoint[] = [{ index: 0, summary: cloneSummary(summary), series: series.clone() }];

  let at = 0;
  let lines = 0;
  while (at < text.length && parser.reading) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const lineEnd = text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const e = parser.line(text.slice(at, lineEnd), nl < 0);
    if (e) {
      if (count === cap) {
        cap *= 2;
        starts = grow(starts, cap);
        ends = grow(ends, cap);
        ts = grow(ts, cap);
      }
      starts[count] = at;
      ends[count] = lineEnd;
      ts[count] = e.t;
      markers ??= new MarkerFinder(parser.header?.recorder === 'app');
      markers.take(e, count);
      applySummaryEvent(summary, e);
      series.apply(e, summary);
      count++;
      if (count % CHECKPOINT_EVERY === 0) checkpoints.push({ index: count, summary: cloneSummary(summary), series: series.clone() });
    }
    at = end + 1;
    if (++lines % SLICE === 0) {
      progress(at / text.length);
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  parser.end();
  if (parser.refusal || !parser.header) return { ok: false, refusal: parser.refusal ?? { kind: 'empty' } };
  const tMax = new Float64Array(count);
  for (let i = 0, m = -Infinity; i < count; i++) tMax[i] = m = Math.max(m, ts[i]);
  return {
    ok: true,
    recording: {
      name,
      header: parser.header,
      damage: parser.damage,
      text,
      count,
      starts: starts.subarray(0, count),
      ends: ends.subarray(0, count),
      ts: ts.subarray(0, count),
      tMax,
      markers: markers?.markers ?? [],
      checkpoints,
    },
  };
}

function grow(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** The event at `i` (parsed again from its line). */
export function eventAt(r: OpenedRecording, i: number): ForkscopeEvent {
  return JSON.parse(r.text.slice(r.starts[i], r.ends[i])) as ForkscopeEvent;
}

/** Events [from, to), in order. */
export function eventsIn(r: OpenedRecording, from: number, to: number): ForkscopeEvent[] {
  const out: ForkscopeEvent[] = new Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) out[i - from] = eventAt(r, i);
  return out;
}

/** How many events the cursor at time `t` has passed: those up to and including `t`. */
export function indexAt(r: OpenedRecording, t: number): number {
  // tMax is sorted: the first event whose running maximum passes t ends the prefix.
  let lo = 0;
  let hi = r.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r.tMax[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function firstT(r: OpenedRecording): number {
  return r.count ? r.ts[0] : 0;
}

export function lastT(r: OpenedRecording): number {
  return r.count ? r.tMax[r.count - 1] : 0;
}

/**
 * The state after events [0, index): a snapshot as the supervisor would have handed it to a
 * page joining at that moment (summary, the newest SNAPSHOT_EVENTS events, the next sequence
 * number), and the charts' series, which a snapshot's events alone cannot rebuild.
 */
export function stateAt(r: OpenedRecording, index: number, windowEvents = SNAPSHOT_EVENTS): { snapshot: Snapshot; series: Series } {
  const cp = r.checkpoints[Math.min(r.checkpoints.length - 1, Math.floor(index / CHECKPOINT_EVERY))];
  const from = Math.max(0, index - windowEvents);
  const lo = Math.min(from, cp.index);
  const events = eventsIn(r, lo, index);
  const summary = cloneSummary(cp.summary);
  const series = cp.series.clone();
  for (let i = cp.index; i < index; i++) {
    const e = events[i - lo];
    applySummaryEvent(summary, e);
    series.apply(e, summary);
  }
  return { snapshot: { summary, events: events.slice(from - lo), nextSeq: index }, series };
}
