// The supervisor: starts, stops and restarts the master; runs the built-in client; watches the
// kernel; merges all three into one timeline. State lives here, one verb per method, in the
// manner of gunicorn's arbiter. Plain Node (no Electron): the window and the browser bridge
// both drive it through SupervisorApi.
import type { Command, EventInput, ForkscopeEvent, Source } from '../../server-core/events';
import { getOrigin, now } from '../../server-core/clock';
import { makeHeader, type RecordingHeader } from '../../server-core/recording/format';
import { saveRecording, thisPlatform, wallOfOrigin } from '../../server-core/recording/writer';
import { fire as fireClient } from '../../server-core/client/engine';
import type { FireOptions, FireSummary } from '../../server-core/client/types';
import { Observer, type Observation, type ObserverOptions } from '../observer/observer';
import { Account, DivergenceWatch } from '../observer/divergence';
import { allPids, childrenOf, readStat } from '../../server-core/observe/procfs';
import { becomeSubreaper } from '../sys/prctl';
import { signalName, signalNumber } from '../../server-core/sys/wait';
import { Watch } from '../../server-core/observe/observe';
import { serveArgs } from './argv';
import { splitCommand } from './command-line';
import { defaultLaunch, findRoot, type MasterLaunch } from './launch';
import { MasterProcess, type MasterExit } from './master';
import { MasterStream } from './ingest';
import { AcceptWaits } from './accept-waits';
import { Orphanage } from './orphans';
import { strings } from './strings';
import { Timeline, type TimelineOptions } from './timeline';
import type { Batch, FdTable, ObserveConfig, RunConfig, Snapshot, Summary, SupervisorApi } from './types';
import { readFdTable } from '../observer/fds';

export interface SupervisorOptions extends TimelineOptions {
  /** How to start the master (node binary, script, env); see launch.ts. */
  launch?: Partial<MasterLaunch>;
  observer?: ObserverOptions;
  /** Give up on a master that has not said `listening` after this long (default 15 s). */
  startTimeoutMs?: number;
  /** After SIGTERM, wait this long before SIGKILL to the whole group (default 3 s). */
  stopTimeoutMs?: number;
  /** Become a child subreaper (default true). */
  subreaper?: boolean;
  /** How long the master's account and /proc may disagree before `divergence` (default 1 s). */
  divergenceGraceMs?: number;
}

/** One master run: its config and what the supervisor learned about it. */
interface Run {
  config: RunConfig;
  master: MasterProcess;
  /** Its stdout, parsed and rebased onto the supervisor's clock. */
  stream: MasterStream;
  account: Account;
  /** The supervisor asked it to stop: its exit is no error. */
  expected: boolean;
  /** Why the supervisor gave up on it (start timeout), in plain words. */
  failure: string | null;
  /** The port it listens on, from its `listening` event (its orphans may hold it after it died). */
  port: number | null;
  /** A signal the user sent the master itself ("kill the master only"): its exit is no error. */
  signalled: string | null;
  exit: MasterExit | null;
}

const SWEEP_TIMEOUT_MS = 5000;
/** How long a finished fire waits for the accepts of its connections still in the master's pipe. */
const ACCEPT_GRACE_MS = 300;

export class Supervisor implements SupervisorApi {
  private readonly timeline: Timeline;
  private readonly observer: Observer;
  private readonly orphans: Orphanage;
  private readonly watch: DivergenceWatch;
  private readonly launch: MasterLaunch;
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly wantSubreaper: boolean;
  private subreaper: boolean | null = null;
  private run: Run | null = null;
  /** A server of the learner's being watched (instead of a master run). */
  private watched: Watch | null = null;
  /** The last one, kept after it ends: it knows when its children became zombies (their reap as orphans says how long). */
  private lastWatched: Watch | null = null;
  /** Process groups of every run started (the master's pid), to sweep at the end. */
  private readonly groups = new Set<number>();
  private stopping: Promise<void> | null = null;
  private readonly fires = new Set<AbortController>();
  /** Each running fire's connections, waiting to be matched with the server's accepts. */
  private readonly acceptWaits = new Set<AcceptWaits>();
  private closed = false;

  constructor(opts: SupervisorOptions = {}) {
    this.timeline = new Timeline(opts);
    this.launch = defaultLaunch(opts.launch);
    this.startTimeoutMs = opts.startTimeoutMs ?? 15_000;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 3_000;
    this.wantSubreaper = opts.subreaper ?? true;
    this.watch = new DivergenceWatch(opts.divergenceGraceMs ?? 1000);
    this.observer = new Observer(opts.observer ?? {}, (o) => this.onSample(o));
    this.orphans = new Orphanage(
      (e, source) => this.emit(e, source),
      (pid) => this.lastWatched?.exitedAt(pid) ?? this.observer.zombieSinceOf(pid),
      now,
    );
  }

  // ── SupervisorApi ──────────────────────────────────────────────────────────

  async start(config: RunConfig): Promise<Summary> {
    if (this.closed) throw new Error('the supervisor has been shut down');
    if (this.stopping) await this.stopping;
    // Whatever is left of an earlier run (its master, or orphans that may hold the port) goes first.
    if (this.run || this.watched) await this.stop();
    this.lastWatched = null;
    this.becomeSubreaper();

    // eslint-disable-next-line prefer-const -- the handlers below run only after `run` is set
    let run: Run;
    const master = MasterProcess.start(this.launch, serveArgs(config), {
      line: (line) => run.stream.line(line),
      exit: (exit) => this.masterExited(run, exit),
    });
    const account = new Account();
    const stream = new MasterStream(
      (e) => {
        account.note(e);
        if (e.type === 'listening' && e.pid === master.pid) run.port = e.port;
        for (const w of this.acceptWaits) w.server(e);
        this.timeline.push(e, 'server');
      },
      (line) => this.emit({ type: 'notice', message: strings.nonJson(line), code: 'NON_JSON' }, 'supervisor'),
    );
    run = { config, master, stream, account, expected: false, failure: null, port: null, signalled: null, exit: null };
    this.run = run;
    this.watch.reset();
    this.emit({ type: 'master-start', child: Math.max(0, master.pid), argv: master.argv, config }, 'supervisor');
    if (master.started) {
      this.groups.add(master.pid);
      this.observer.setMaster(master.pid);
      this.observer.resetReported();
      this.observer.start();
    }

    await this.untilReleased((e) => (e.type === 'listening' && e.pid === master.pid) || (e.type === 'master-exit' && run.exit !== null), this.startTimeoutMs).catch(async () => {
      run.failure = strings.startTimeout(Math.round(this.startTimeoutMs / 1000));
      await this.stopRun(run, false);
    });
    return this.summary();
  }

  async observe(config: ObserveConfig): Promise<Summary> {
    if (this.closed) throw new Error('the supervisor has been shut down');
    if (this.stopping) await this.stopping;
    if (this.run || this.watched) await this.stop();
    this.becomeSubreaper();
    const command = config.command !== undefined ? splitCommand(config.command) : undefined;
    // Its events join the timeline as the kernel's (what the server printed, as the server's).
    const watch = await Watch.begin(
      {
        ...(command ? { command, cwd: config.cwd || findRoot() } : { pid: config.pid }),
        port: config.port,
      },
      (e) => this.timeline.push(e, e.type === 'output' ? 'server' : 'kernel'),
    );
    this.watched = watch;
    this.lastWatched = watch;
    // Its group is swept like a run's: the supervisor is a subreaper, so its orphans come here.
    if (command) {
      this.groups.add(watch.pid);
      this.observer.addGroup(watch.pid);
    }
    void watch.ended.then(() => {
      if (this.watched === watch) this.watched = null;
    });
    await this.untilReleased((e) => e.type === 'observing' || e.type === 'master-exit', this.startTimeoutMs).catch(() => {});
    return this.summary();
  }

  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const run = this.run;
    const watch = this.watched;
    this.stopping = (async () => {
      if (run) await this.stopRun(run, true);
      if (watch) await watch.stop(strings.stopAsked);
      await this.sweep();
    })().finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  async restart(config?: RunConfig): Promise<Summary> {
    const next = config ?? this.run?.config;
    if (!next) throw new Error(strings.notRunning);
    await this.stop();
    return this.start(next);
  }

  /**
   * A command from the UI. What the master would refuse is refused here, at once, with the
   * reason (the UI shows it where it was clicked); signals for the master itself and for
   * orphans go from here, since they are the supervisor's children.
   */
  command(cmd: Command): void {
    if (cmd.cmd === 'stop') {
      void this.stop();
      return;
    }
    if (this.watched) return this.commandWatched(this.watched, cmd);
    const run = this.run;
    if (cmd.cmd === 'kill') {
      const sig = signalNumber(cmd.signal);
      if (sig === undefined) throw new Error(strings.badSignal(String(cmd.signal)));
      if (this.orphans.pids.includes(cmd.pid)) return void process.kill(cmd.pid, sig);
      if (cmd.pid === process.pid) throw new Error(strings.notTheSupervisor(cmd.pid));
      if (run?.master.running && cmd.pid === run.master.pid) return this.signalMaster(run, sig);
      if (!run?.master.running) throw new Error(strings.notRunning);
      if (!run.account.isChild(cmd.pid)) throw new Error(strings.notOurs(cmd.pid));
    }
    if (!run?.master.running) throw new Error(strings.notRunning);
    if (cmd.cmd !== 'kill' && run.config.model === 'iterative') throw new Error(strings.noWorkers);
    if (cmd.cmd === 'release-fds' && !run.config.parentKeepsConn) throw new Error(strings.noKeptFds);
    if (!run.master.send(cmd)) throw new Error(strings.notRunning);
  }

  /**
   * The master's descriptors (or a worker's, or an orphan's): what they are and the limit, as
   * the kernel says now. Only for processes of the current run.
   */
  fds(pid: number): FdTable {
    const ours = this.timeline.summary().procs.some((p) => p.pid === pid && p.role !== 'supervisor') || this.orphans.pids.includes(pid);
    if (!ours) throw new Error(strings.notOurs(pid));
    const table = readFdTable(pid, this.run?.port ?? this.watched?.port ?? null, now());
    if (!table) throw new Error(strings.gone(pid));
    return table;
  }

  /** A watched server does its own reaping and closing; a signal goes only to what forkscope started. */
  private commandWatched(watch: Watch, cmd: Command): void {
    if (cmd.cmd !== 'kill') throw new Error(strings.observingOnly(cmd.cmd));
    if (!watch.started) throw new Error(strings.notStartedHere);
    if (!watch.has(cmd.pid)) throw new Error(strings.notInTree(cmd.pid));
    const sig = signalNumber(cmd.signal);
    if (sig === undefined) throw new Error(strings.badSignal(String(cmd.signal)));
    process.kill(cmd.pid, sig);
  }

  async fire(options: FireOptions): Promise<FireSummary> {
    const ac = new AbortController();
    const waits = new AcceptWaits();
    this.fires.add(ac);
    this.acceptWaits.add(waits);
    try {
      const summary = await fireClient(
        options,
        (e) => {
          this.timeline.push(e, 'client');
          waits.client(e as ForkscopeEvent);
        },
        { signal: ac.signal },
      );
      // The master wrote each accept before the answer, but its pipe may be read a moment later.
      for (let i = 0; waits.pending > 0 && this.run?.master.running && i < ACCEPT_GRACE_MS / 10; i++) await sleep(10);
      const queueMs = waits.spread();
      return queueMs ? { ...summary, queueMs } : summary;
    } finally {
      this.fires.delete(ac);
      this.acceptWaits.delete(waits);
    }
  }

  subscribe(onBatch: (batch: Batch) => void): { snapshot: Snapshot; unsubscribe(): void } {
    return this.timeline.subscribe(onBatch);
  }

  summary(): Summary {
    return this.timeline.summary();
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    for (const ac of this.fires) ac.abort();
    await this.stop();
    this.observer.stop();
    this.timeline.dispose();
  }

  // ── extras for the bridge, tests and the benchmark ─────────────────────────

  /** The timeline's history, oldest first. */
  history(n?: number): ForkscopeEvent[] {
    return this.timeline.events(n);
  }

  /**
   * The timeline as a recording (docs/recordings.md): a header with the latest run's settings,
   * then every event the history still holds — the whole run unless more than `historySize`
   * events came (the header's `dropped` counts those that had left).
   */
  recording(): { header: RecordingHeader; events: ForkscopeEvent[] } {
    const header = makeHeader({
      recorder: 'app',
      settings: this.run?.config ?? null,
      platform: thisPlatform(),
      startedMs: wallOfOrigin(now()),
      origin: getOrigin(),
      dropped: this.timeline.firstSeq,
    });
    return { header, events: this.timeline.events() };
  }

  /** Writes recording() to `path`; resolves with how many events it holds. */
  async saveRecording(path: string): Promise<{ events: number; dropped: number }> {
    const { header, events } = this.recording();
    await saveRecording(path, header, events);
    return { events: events.length, dropped: header.dropped };
  }

  /** Delivers every pending event now (tests; shutdown). */
  flush(): void {
    this.timeline.flush(true);
  }

  get batchesDelivered(): number {
    return this.timeline.batches;
  }

  get observerCost(): { passes: number; cpuMs: number } {
    return { ...this.observer.cost };
  }

  /** Pids of orphans the supervisor holds and has not reaped yet. */
  get orphanPids(): number[] {
    return this.orphans.pids;
  }

  // ── the pipeline ───────────────────────────────────────────────────────────

  /** Stamps and queues an event the supervisor (or its observer) produced. */
  private emit(input: EventInput, source: Source, t: number = now()): void {
    this.timeline.push({ ...input, t, pid: process.pid } as ForkscopeEvent, source);
  }

  /** One /proc sample: the tree (as a diff), orphans, and the master's account checked. */
  private onSample(o: Observation): void {
    if (o.diff) {
      this.emit({ type: 'proc', procs: o.diff.changed, zombies: o.tree.zombies, full: o.full, ...(o.full ? {} : { gone: o.diff.gone }) }, 'kernel', o.t);
    }
    const run = this.run;
    // A master that has died — Z or gone in /proc, its exit not heard yet, or its last words still
    // draining — holds its orphans back, so `master-exit` comes first: the kernel reparents them
    // at its death, a sample may see them before Node reports the exit.
    const seen = run ? o.tree.procs.get(run.master.pid) : undefined;
    const dying = run !== null && run.exit === null && (!run.master.running || !seen || seen.state === 'Z');
    if (!dying) this.orphans.observe(o.tree.orphans);

    if (run?.master.running && run.stream.offsetMs !== null && o.tree.masterChildren) {
      const { report, resolved } = this.watch.check(o.t, run.account, o.tree.masterChildren);
      for (const d of report) this.emit({ type: 'divergence', what: d.what, master: d.master, kernel: d.kernel, pids: d.pids }, 'supervisor', o.t);
      for (const what of resolved) this.emit({ type: 'divergence', what, master: 0, kernel: 0, resolved: true }, 'supervisor', o.t);
    }
    if (!run?.master.running && this.orphans.size === 0 && o.tree.procs.size === 0) this.observer.stop();
  }

  /**
   * A signal for the master alone, not its process group ("kill the master only"): with SIGKILL
   * it cannot stop its workers, which become orphans the supervisor adopts (it is a child
   * subreaper) — with "child keeps the listener", still holding the listening socket.
   */
  private signalMaster(run: Run, sig: number): void {
    const name = signalName(sig);
    run.signalled = name;
    process.kill(run.master.pid, sig);
    this.emit({ type: 'notice', code: 'MASTER_SIGNALLED', message: strings.masterSignalled(name, run.master.pid) }, 'supervisor');
  }

  private masterExited(run: Run, exit: MasterExit): void {
    run.exit = exit;
    // Killed by the signal the user sent it: what they asked for, not a failure.
    if (run.signalled && exit.signal === run.signalled) run.expected = true;
    const message = run.failure ?? (run.expected ? undefined : explainExit(run.master.pid, exit, this.launch.node));
    this.emit(
      {
        type: 'master-exit',
        code: exit.code,
        signal: exit.signal,
        stderr: exit.stderr,
        expected: run.expected && !run.failure,
        ...(message ? { message } : {}),
      },
      'supervisor',
    );
    if (this.run === run) this.observer.setMaster(null);
    this.watch.reset();
    // Orphans are the kernel's news right now: look at once, and keep looking while any live.
    this.onSample(this.observer.sample());
    if (this.orphans.size) this.observer.start();
  }

  /**
   * Ends one master: SIGTERM (it stops and reaps its own workers — the graceful path), then
   * SIGKILL to its whole process group for anything left, then waits for its exit.
   */
  private async stopRun(run: Run, expected: boolean): Promise<void> {
    const m = run.master;
    if (m.running) {
      run.expected = expected;
      m.signal('SIGTERM');
      await within(m.exited, this.stopTimeoutMs);
    }
    if (m.started) killOurGroup(m.pid);
    await within(m.exited, 5_000);
  }

  /** Reaps and kills until no process of any run is left (bounded). */
  private async sweep(): Promise<void> {
    const deadline = now() + SWEEP_TIMEOUT_MS;
    for (;;) {
      this.onSample(this.observer.sample());
      const left = this.leftovers();
      if (!left.length && this.orphans.size === 0) break;
      if (now() > deadline) {
        this.emit({ type: 'notice', message: strings.orphansLeft([...left, ...this.orphans.pids]), code: 'LEFTOVERS' }, 'supervisor');
        break;
      }
      for (const g of this.groups) killOurGroup(g);
      for (const pid of this.orphans.pids) signalPid(pid, 'SIGKILL');
      await sleep(20);
    }
    this.onSample(this.observer.sample());
    this.observer.stop();
  }

  /**
   * Processes left in the runs' process groups (the master still being reaped by libuv aside).
   * A group counts only while one of its members is our child: once the master is gone every
   * process of a run is reparented to us (we are the subreaper), so a group with members none
   * of which is ours is someone else's now (its id, a pid, was reused) — it is forgotten.
   */
  private leftovers(): number[] {
    const running = this.run?.master.running ? this.run.master.pid : -1;
    const byGroup = new Map<number, { pids: number[]; ours: boolean }>();
    for (const pid of allPids()) {
      const st = readStat(pid);
      if (!st || !this.groups.has(st.pgrp) || pid === process.pid) continue;
      const g = byGroup.get(st.pgrp) ?? { pids: [], ours: false };
      if (pid !== running) g.pids.push(pid);
      if (st.ppid === process.pid) g.ours = true;
      byGroup.set(st.pgrp, g);
    }
    const out: number[] = [];
    for (const pgid of [...this.groups]) {
      const g = byGroup.get(pgid);
      if (!g?.ours) this.groups.delete(pgid);
      else out.push(...g.pids);
    }
    return out;
  }

  private becomeSubreaper(): void {
    if (this.subreaper !== null || !this.wantSubreaper) return;
    try {
      this.subreaper = becomeSubreaper();
    } catch {
      this.subreaper = false;
    }
  }

  private untilReleased(pred: (e: ForkscopeEvent) => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error('timeout'));
      }, timeoutMs);
      const off = this.timeline.onRelease((e) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }
}

/** The master's death in plain words, with its last stderr line. */
export function explainExit(pid: number, exit: MasterExit, node: string): string {
  const last = [...exit.stderr].reverse().find((l) => l.trim()) ?? '';
  const said = last ? strings.lastWords(last.trim()) : '';
  if (exit.code === null && exit.signal === null) return strings.spawnFailed(node, last || 'unknown error');
  if (exit.signal) return strings.killedBy(exit.signal, pid) + said;
  if (exit.code === 0) return strings.exitedOnItsOwn(pid) + said;
  const port = /EADDRINUSE|already in use/i.test(exit.stderr.join('\n')) ? /port\D{0,3}(\d+)/i.exec(exit.stderr.join('\n'))?.[1] : undefined;
  return strings.exitedWith(exit.code ?? -1, pid) + said + (port && !/already in use/i.test(last) ? strings.portTaken(port) : '');
}

function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * SIGKILL to a run's process group — only while one of its members is still our child (the
 * master, or an orphan reparented to us). A group id is a pid, and pids get reused: an empty
 * old group's id may belong to someone else's processes by now.
 */
function killOurGroup(pgid: number): void {
  const ours = childrenOf(process.pid).some((pid) => readStat(pid)?.pgrp === pgid);
  if (!ours) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* ESRCH: the group is empty */
  }
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}
