// Everything the renderer knows about the run, kept in mutable, bounded structures outside
// React. Batches are applied here as they arrive; the store publishes small immutable views
// of it at most once per animation frame. The summary is kept with the supervisor's own pure
// reducer (src-main/supervisor/summary.ts), so the numbers on screen are the supervisor's.
import type { ForkscopeEvent, ListeningEvent, MasterExitEvent } from '../../server-core/events';
import { applyEvent as applySummaryEvent, cloneSummary, emptySummary } from '../../src-main/supervisor/summary';
import type { Batch, Snapshot, Summary } from '../../src-main/supervisor/types';
import { Conversations } from './conversations';
import { Procs } from './procs';
import { Ring } from './ring';
import { Series } from './series';

export interface Entry {
  /** Position in the supervisor's history. */
  seq: number;
  e: ForkscopeEvent;
  /** The conversation (connection) the event belongs to, if any. */
  conv?: number;
  /** The run it belongs to (Journal.runNo when it arrived): conn ids restart with every run. */
  run: number;
}

/**
 * The run clock now: the newest event's time plus what has passed since it arrived (events need
 * not come while nothing happens). A replay sets `at` to +Infinity: its clock stands at the cursor.
 */
export function runNow(clock: { t: number; at: number }, now = performance.now()): number {
  return clock.t + Math.max(0, now - clock.at);
}

/** The run as the header, controls and banners need it. */
export interface RunView {
  running: boolean;
  config: Summary['config'];
  master: Summary['master'];
  reap: Summary['reap'];
  lastError: string | null;
  divergence: Summary['divergence'];
  listening: ListeningEvent | null;
  /** The last master exit the supervisor did not ask for. */
  masterExit: MasterExitEvent | null;
  accepting: { on: boolean; reason?: string };
  /** Which run this is (Journal.runNo) and its master's pid, known from `master-start`. */
  runNo: number;
  runMaster: number | null;
  /** A server of the learner's being watched (set by `observing`; kept after it ends). */
  observed: Summary['observed'];
}

export const TIMELINE_CAP = 20_000;

const COUNTING = new Set<string>(['master-start', 'observing', 'accept', 'fork', 'request', 'response', 'sigchld', 'exit', 'reap', 'error', 'zombies']);
const RUN = new Set<string>(['master-start', 'observing', 'listening', 'master-exit', 'reap-policy', 'divergence', 'accepting', 'stopped', 'sigchld-handler', 'sigchld-sent', 'notice']);
const QUEUE = new Set<string>(['master-start', 'observing', 'listening', 'master-exit', 'queue']);
/** What a watched server's connection list follows. */
const CONNECTIONS = new Set<string>(['master-start', 'observing', 'master-exit', 'connection']);

export class Journal {
  readonly timeline: Ring<Entry>;
  readonly convs: Conversations;
  readonly procs = new Procs();
  readonly series = new Series();
  summary: Summary = emptySummary();
  private extra: Pick<RunView, 'listening' | 'masterExit' | 'accepting' | 'runMaster'> = { listening: null, masterExit: null, accepting: { on: true }, runMaster: null };
  /**
   * Bumped by every `master-start`: the server numbers its connections from #1 again in each
   * run, so anything keyed by conn id (transcripts, the timeline's conn filter, the queue's
   * port matching) belongs to one run. 0 = events from before the first start we saw.
   */
  runNo = 0;
  /** The newest event's run-clock time and when it arrived (performance.now()). */
  clock = { t: 0, at: 0 };
  /** History position the next event should have; earlier ones are duplicates. */
  nextSeq = 0;
  /** Set when the matching view must be republished. */
  dirty = { counters: true, run: true, queue: true, connections: true };

  constructor(timelineCap = TIMELINE_CAP, convCap = 1500) {
    this.timeline = new Ring<Entry>(timelineCap);
    this.convs = new Conversations(convCap);
  }

  run(): RunView {
    const s = this.summary;
    return { running: s.running, config: s.config, master: s.master, reap: s.reap, lastError: s.lastError, divergence: s.divergence, observed: s.observed, ...this.extra, runNo: this.runNo };
  }

  /**
   * Starts over from a snapshot: its events fill the timeline (and are replayed through the
   * reducer, so the charts have their history), then its summary is the truth.
   */
  applySnapshot(snap: Snapshot, now: number): void {
    this.reset();
    const first = snap.nextSeq - snap.events.length;
    this.nextSeq = first;
    this.applyBatch({ seq: first, events: snap.events }, now, false);
    this.setSummary(snap.summary);
    this.series.sync(this.summary);
    this.nextSeq = snap.nextSeq;
  }

  /** Takes a summary the supervisor sent (a snapshot's, or the answer to a stop). */
  setSummary(s: Summary): void {
    this.summary = cloneSummary(s);
    this.procs.setFromSummary(s.procs, s.zombies);
    this.dirty.run = this.dirty.counters = this.dirty.queue = this.dirty.connections = true;
  }

  /** Applies a batch, skipping events already seen (a batch may overlap the snapshot). */
  applyBatch(batch: Batch, now: number, live = true): number {
    const skip = Math.max(0, this.nextSeq - batch.seq);
    const n = batch.events.length;
    for (let i = skip; i < n; i++) this.applyEvent(batch.events[i], batch.seq + i, now, live);
    if (batch.seq + n > this.nextSeq) this.nextSeq = batch.seq + n;
    return Math.max(0, n - skip);
  }

  reset(): void {
    this.timeline.clear();
    this.convs.clear();
    this.procs.clear();
    this.series.clear();
    this.summary = emptySummary();
    this.extra = { listening: null, masterExit: null, accepting: { on: true }, runMaster: null };
    this.runNo = 0;
    this.nextSeq = 0;
    this.dirty = { counters: true, run: true, queue: true, connections: true };
  }

  private applyEvent(e: ForkscopeEvent, seq: number, now: number, live: boolean): void {
    // A snapshot replay runs the reducer too (for the charts); its summary replaces the result.
    applySummaryEvent(this.summary, e);
    if (COUNTING.has(e.type)) this.dirty.counters = true;
    if (RUN.has(e.type)) this.dirty.run = true;
    if (QUEUE.has(e.type)) this.dirty.queue = true;
    if (CONNECTIONS.has(e.type)) this.dirty.connections = true;
    this.series.apply(e, this.summary);
    this.applyExtra(e, now, live);
    const conv = this.convs.apply(e);
    this.timeline.push({ seq, e, conv: conv?.id, run: this.runNo });
    if (e.t >= this.clock.t) this.clock = { t: e.t, at: now };
  }

  /** What the summary does not keep: processes between samples, the last exit, accepting. */
  private applyExtra(e: ForkscopeEvent, now: number, live: boolean): void {
    switch (e.type) {
      case 'master-start':
        this.runNo++;
        this.extra = { listening: null, masterExit: null, accepting: { on: true }, runMaster: e.child };
        this.procs.newRun(e.child);
        this.convs.newRun(e.child);
        return;
      case 'observing':
        // A watched server is a run of its own: its connections are numbered from #1.
        this.runNo++;
        this.extra = { listening: null, masterExit: null, accepting: { on: true }, runMaster: e.pid };
        this.procs.newRun(e.pid);
        this.convs.newRun(e.pid);
        return;
      case 'listening':
        this.extra = { ...this.extra, listening: e, masterExit: null };
        return;
      case 'master-exit':
        this.extra = { ...this.extra, masterExit: e.expected ? null : e, accepting: { on: true } };
        return;
      case 'accepting':
        this.extra = { ...this.extra, accepting: { on: e.on, reason: e.reason } };
        return;
      case 'proc':
        // During a snapshot replay the summary is set afterwards; the tree comes from it.
        if (live) this.procs.applyTree(this.summary.procs, this.summary.zombies, e.t, now, e.procs);
        else this.procs.noteSample(e.t, e.procs);
        return;
      case 'fork':
        this.procs.applyFork(e, now);
        return;
      case 'reap':
        this.procs.applyReap(e, now, live);
        return;
      case 'zombies':
        this.procs.applyMasterZombies(e.count);
        return;
      default:
        return;
    }
  }
}
