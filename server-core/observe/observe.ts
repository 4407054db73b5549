// Watching a server forkscope did not write: the learner's own, in any language. It says
// nothing to us, so everything is read from the kernel, ten times a second —
//   the process tree and its zombies   /proc (proc-tree.ts)
//   the accept queue and connections   inet_diag (inet-diag.ts, connections.ts)
//   who holds each socket              /proc/PID/fd (holders.ts)
//   the SIGCHLD handler                /proc/PID/status
//   each SIGCHLD and wait()            tracefs, where root allows (sigchld-trace.ts)
// — and told on the same event contract as `forkscope serve`, every event marked
// `basis: 'observed'`. Used by `forkscope observe` and by the app's supervisor.
import type { ContractEvent, EventInput, ProcInfo } from '../events';
import { getOrigin, now } from '../clock';
import { decodeStatus } from '../sys/wait';
import { clockTicks, pageSize } from '../sys/sysconf';
import { Connections } from './connections';
import { findListener, portsHeld, type Listener } from './find-listener';
import { Holders } from './holders';
import { InetDiag } from './inet-diag';
import { diffProcs } from './proc-diff';
import { ProcTree, type TreeProc } from './proc-tree';
import { bootOffsetMs, readStat, readStatus } from './procfs';
import { SigchldTrace, type TraceRecord } from './sigchld-trace';
import { O } from './strings';
import { attachPid, groupMembers, ObserveError, signalGroup, signalPid, startCommand, type Target } from './target';

export { ObserveError } from './target';

export interface ObserveOptions {
  /** COMMAND ARGS… to start; or `pid` of a server already running (one of the two). */
  command?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  pid?: number;
  /** The port to watch when the server listens on several. */
  port?: number;
  /** How long to wait for a listening socket (default 10 s). */
  listenTimeoutMs?: number;
  /** Passes per second (default 10). */
  hz?: number;
  /** After SIGTERM, how long the server's group gets before SIGKILL (default 2 s). */
  graceMs?: number;
  /** Trace SIGCHLD and wait() where root allows (default true). */
  trace?: boolean;
  /** Aborts the wait for a listener (Ctrl-C before the server listens). */
  signal?: AbortSignal;
}

export type ObserveSink = (event: ContractEvent) => void;

const SIGCHLD_BIT = 1n << 16n; // signal n is bit n − 1
const LISTEN_POLL_MS = 50;
/**
 * A server opening several listeners opens them in a row: without --port, the first one found
 * is kept only once its tree has been asleep this long with no other appearing (a process
 * starved of the CPU shows R) — or, for a server with busy threads, once LISTEN_SETTLE_CAP_MS passed.
 */
const LISTEN_SETTLE_MS = 300;
const LISTEN_SETTLE_CAP_MS = 2000;
/** When nothing has moved for ACTIVE_MS, connections are listed every QUIET_DUMP_EVERY passes. */
const ACTIVE_MS = 1000;
const QUIET_DUMP_EVERY = 5;
const HANDLER_EVERY = 5;

type Input = EventInput<ContractEvent>;

export class Watch {
  /** Exit code for the CLI: 0 stopped on request or the server exited 0; 1 it failed. */
  readonly ended: Promise<number>;
  /** Passes made (its CPU time is measured from outside, by the benchmark: getrusage per pass costs as much as a pass). */
  passes = 0;
  private resolveEnded: (code: number) => void = () => {};
  private timer: NodeJS.Timeout | null = null;
  private finishing = false;
  private pass = 0;
  private readonly bootMs = -bootOffsetMs(now());
  private readonly connections = new Connections();
  private trace: SigchldTrace | null = null;
  // What was last reported.
  private reported = new Map<number, ProcInfo>();
  /** Each process's ProcInfo, made again only when its /proc reading or fd count moved. */
  private readonly infos = new Map<number, { from: TreeProc; info: ProcInfo }>();
  private lastTree = new Map<number, TreeProc>();
  /**
   * Children gone from /proc with no wait4 record yet, while tracing (pid → when seen gone): the
   * record fires as wait4 returns, after the child left /proc, so it may come one pass late.
   */
  private readonly unrecorded = new Map<number, number>();
  private zombieKey = '';
  private queue = { length: -1, backlog: -1 };
  private handler: string | null = null;
  private delivered = 0;
  private listenerGone = false;
  /** Until then (ms), connections are listed every pass. */
  private activeUntil = 0;
  // Each child's exit and reap are said once, from the trace when it has them (exact), else from /proc.
  private readonly exitAt = new Map<number, number>();
  private readonly exitStatus = new Map<number, number>();
  private readonly reaped = new Set<number>();
  private readonly said = new Set<number>();
  /** Processes whose fd list has been reported. */
  private readonly fdsSaid = new Set<number>();

  private constructor(
    private readonly target: Target,
    private readonly listener: Listener,
    private readonly diag: InetDiag,
    private readonly tree: ProcTree,
    private readonly holders: Holders,
    private readonly sink: ObserveSink,
    private readonly opts: ObserveOptions,
  ) {
    this.ended = new Promise((r) => (this.resolveEnded = r));
  }

  /** Starts (or attaches to) the server and waits for its listening socket; throws ObserveError. */
  static async begin(opts: ObserveOptions, sink: ObserveSink): Promise<Watch> {
    if (process.platform !== 'linux') throw new ObserveError(O.needsLinux, 2);
    if ((opts.command?.length ? 1 : 0) + (opts.pid !== undefined ? 1 : 0) !== 1) throw new ObserveError(O.commandOrPid, 2);
    let pid = 0;
    const say = (input: Input): void => sink({ ...input, t: now(), pid, basis: 'observed' } as ContractEvent);
    const target = opts.command?.length
      ? await startCommand(opts.command, opts.cwd, opts.env, (stream, line) => say({ type: 'output', stream, line }))
      : attachPid(opts.pid!);
    pid = target.pid;
    const hz = opts.hz ?? 10;
    const diag = new InetDiag();
    const tree = new ProcTree(target.pid, 1000, 1000 / hz);
    const holders = new Holders(1000, 1000 / hz, 0.3);
    try {
      const listener = await waitForListener(target, diag, tree, holders, opts);
      const watch = new Watch(target, listener, diag, tree, holders, sink, opts);
      watch.start();
      return watch;
    } catch (err) {
      diag.close();
      tree.close();
      if (target.started) await endGroup(target, [], opts.graceMs ?? 2000);
      throw err;
    }
  }

  get pid(): number {
    return this.target.pid;
  }

  /** True when forkscope started the server (and may signal it). */
  get started(): boolean {
    return this.target.started;
  }

  /** When a child of the server exited (ms on the run's clock), while it is not reaped yet. */
  exitedAt(pid: number): number | null {
    return this.exitAt.get(pid) ?? null;
  }

  /** Whether `pid` is one of the watched server's processes (as the last pass saw them). */
  has(pid: number): boolean {
    return this.lastTree.has(pid);
  }

  get port(): number {
    return this.listener.port;
  }

  /** Stops watching: a server forkscope started is stopped with its whole group; a --pid one is left alone. */
  async stop(reason: string): Promise<number> {
    if (this.finishing) return this.ended;
    this.finishing = true;
    this.halt();
    this.emit({ type: 'stopping', reason });
    const procs = this.tree.read(now());
    const zombies = zombiesOf(procs, this.target.pid);
    const orphans = this.orphans(procs);
    let ended: number[] = [];
    if (this.target.started) {
      ended = [...procs.values()].filter((p) => p.state !== 'Z').map((p) => p.pid);
      for (const o of orphans) if (!ended.includes(o)) ended.push(o);
      await endGroup(this.target, ended, this.opts.graceMs ?? 2000);
      const exit = await within(this.target.exited, 1000);
      this.emit({
        type: 'master-exit',
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stderr: this.target.stderrTail(),
        expected: true,
      });
    }
    this.close({ zombies, orphans, ended }, 0);
    return this.ended;
  }

  private start(): void {
    const l = this.listener;
    const trace = this.opts.trace === false ? null : SigchldTrace.start(this.target.pid);
    this.trace = trace instanceof SigchldTrace ? trace : null;
    this.emit({
      type: 'observing',
      ...(this.opts.command ? { command: this.opts.command, cwd: this.opts.cwd ?? process.cwd() } : {}),
      host: l.host,
      port: l.port,
      backlog: l.backlog,
      listeners: l.holders,
      tracing: this.trace !== null,
      origin: getOrigin(),
    });
    if (trace !== null && !(trace instanceof SigchldTrace)) {
      const why = typeof trace === 'object' ? O.traceWhy.failed(trace.failed) : O.traceWhy[trace];
      this.emit({ type: 'notice', message: O.traceUnavailable(why), code: 'NO_TRACE' });
    } else if (this.trace && !this.trace.waits) {
      this.emit({ type: 'notice', message: O.noWaitTrace, code: 'NO_WAIT_TRACE' });
    }
    this.step();
    this.timer = setInterval(() => this.step(), Math.round(1000 / (this.opts.hz ?? 10)));
  }

  private step(): void {
    if (this.finishing) return;
    try {
      this.observe();
    } catch (err) {
      this.emit({ type: 'error', code: 'OBSERVE', message: O.unexpected(err) });
    }
    this.passes++;
  }

  /** One pass: read everything, then say what changed, in time order. */
  private observe(): void {
    const root = this.target.pid;
    const t = now();
    // The socket table first, then the processes: a connection the table lists was accepted
    // before the tree is read, so whoever took it is in the tree (or still holds it).
    const l = this.listener;
    const listening = l.families.flatMap((f) => this.diag.listeners(f, l.port)).filter((s) => l.inodes.includes(s.inode));
    const waiting = listening.reduce((n, s) => n + s.rqueue, 0);
    // Listing connections makes the kernel walk its whole table of established sockets (1–2 ms
    // whatever the port): every pass while anything moves, twice a second when all is still.
    const busy = t < this.activeUntil || waiting > 0 || waiting !== this.queue.length || this.pass % QUIET_DUMP_EVERY === 0;
    const sockets = busy ? l.families.flatMap((f) => this.diag.connections(f, l.port)).filter((s) => l.host === '0.0.0.0' || l.host === '::' || s.localAddress === l.host) : null;
    const procs = this.tree.read(t);
    const rootProc = procs.get(root);
    if (!rootProc || rootProc.state === 'Z' || !this.target.running()) {
      void this.serverEnded();
      return;
    }
    const pass = ++this.pass;
    const live = [...procs.values()].filter((p) => p.state !== 'Z').map((p) => p.pid);
    const fdsChanged = this.holders.update(live, root, t);
    const connChanges = sockets ? this.connections.update(sockets, (inode) => this.holders.holdersOf(inode), pass) : [];
    const records = this.trace?.read() ?? [];

    const out: ContractEvent[] = [];
    const at = this.collector(out);

    for (const r of records) this.traced(r, at);
    this.procChanges(procs, t, at);

    if (listening.length) {
      const backlog = listening[0].wqueue;
      if (waiting !== this.queue.length || backlog !== this.queue.backlog) at(t, { type: 'queue', length: waiting, backlog });
      this.queue = { length: waiting, backlog };
    } else if (!this.listenerGone) {
      this.listenerGone = true;
      at(t, { type: 'notice', message: O.listenerGone, code: 'LISTENER_GONE' });
    }
    for (const c of connChanges) at(t, { type: 'connection', conn: c.conn, local: c.local, peer: c.peer, state: c.state, holders: c.holders, waiting: c.waiting });
    for (const pid of live) if (!this.fdsSaid.has(pid)) fdsChanged.push(pid);
    for (const pid of this.fdsSaid) if (!procs.has(pid) || procs.get(pid)!.state === 'Z') this.fdsSaid.delete(pid);
    for (const pid of new Set(fdsChanged)) {
      const table = this.holders.table(pid);
      if (!table) continue;
      this.fdsSaid.add(pid);
      const socketsOf = [...table.sockets].map(([fd, inode]) => {
        const conn = this.connections.connOf(inode);
        return { fd, inode, ...(conn !== undefined ? { conn } : {}), ...(l.inodes.includes(inode) ? { listen: true } : {}) };
      });
      at(t, { type: 'fds', proc: pid, count: table.count, sockets: socketsOf });
    }
    // Handlers are installed at start-up, rarely later: read twice a second.
    const status = pass % HANDLER_EVERY === 1 ? readStatus(root) : null;
    if (status) {
      const action = status.ignored & SIGCHLD_BIT ? 'ignore' : status.caught & SIGCHLD_BIT ? 'handler' : 'default';
      if (action !== this.handler) at(t, { type: 'sigchld-handler', proc: root, action });
      this.handler = action;
    }
    if (out.length || fdsChanged.length) this.activeUntil = t + ACTIVE_MS;
    out.sort((a, b) => a.t - b.t);
    for (const e of out) this.sink(e);
  }

  /** One traced SIGCHLD or wait(). */
  private traced(r: TraceRecord, at: (t: number, e: Input) => void): void {
    if (r.kind === 'deliver') {
      at(r.t, { type: 'sigchld', n: ++this.delivered });
      return;
    }
    if (r.kind === 'generate') {
      at(r.t, { type: 'sigchld-sent', child: r.child, result: r.result });
      this.exitAt.set(r.child, r.t); // the exact moment, better than the pass that saw Z
      if (!this.said.has(r.child)) {
        this.said.add(r.child);
        at(r.t, { type: 'exit', child: r.child, via: 'sigchld' });
      }
      return;
    }
    this.reapOnce(r.child, r.t, 'wait4', at);
  }

  /** Process tree, exits, reaps and zombies from this pass's /proc reading. */
  private procChanges(procs: Map<number, TreeProc>, t: number, at: (t: number, e: Input) => void): void {
    const root = this.target.pid;
    for (const [pid, p] of procs) {
      if (pid === root || p.state !== 'Z') continue;
      this.exitStatus.set(pid, p.exitStatus);
      // A zombie there before we looked: when it exited is unknown.
      if (this.pass === 1) this.said.add(pid);
      if (!this.exitAt.has(pid)) this.exitAt.set(pid, t);
      if (!this.said.has(pid)) {
        this.said.add(pid);
        at(t, { type: 'exit', child: pid, via: 'proc' });
      }
    }
    // Still no wait4 record a pass later: the reap was not traced (another tracer, a full buffer).
    for (const [pid, goneAt] of this.unrecorded) this.reapOnce(pid, goneAt, 'proc', at);
    this.unrecorded.clear();
    for (const [pid, before] of this.lastTree) {
      if (procs.has(pid) || pid === root) continue;
      const still = readStat(pid);
      if (still && still.startTicks === before.startTicks) continue; // reparented away (its parent died), not reaped
      if (!this.said.has(pid)) {
        // Exited and reaped between two passes: its time as a zombie was not seen.
        this.said.add(pid);
        at(t, { type: 'exit', child: pid, via: 'proc' });
      }
      if (this.trace && !this.reaped.has(pid)) this.unrecorded.set(pid, t);
      else this.reapOnce(pid, t, 'proc', at);
    }
    this.lastTree = procs;

    const infos = new Map<number, ProcInfo>();
    for (const [pid, p] of procs) infos.set(pid, this.info(p));
    const full = this.reported.size === 0;
    const diff = full ? { changed: [...infos.values()], gone: [] } : diffProcs(this.reported, infos);
    const zombies = zombiesOf(procs, root);
    if (diff) at(t, { type: 'proc', procs: diff.changed, zombies: zombies.length, ...(full ? { full: true } : { full: false, gone: diff.gone }) });
    this.reported = infos;
    for (const pid of this.infos.keys()) if (!procs.has(pid)) this.infos.delete(pid);
    const key = zombies.join(',');
    if (key !== this.zombieKey || this.pass === 1) at(t, { type: 'zombies', count: zombies.length, pids: zombies });
    this.zombieKey = key;
  }

  private reapOnce(child: number, t: number, via: 'wait4' | 'proc', at: (t: number, e: Input) => void): void {
    if (this.reaped.has(child)) return;
    this.reaped.add(child);
    const since = this.exitAt.get(child);
    const status = this.exitStatus.get(child);
    const decoded = status !== undefined ? decodeStatus(child, status) : null;
    at(t, {
      type: 'reap',
      child,
      ...(decoded?.code !== undefined ? { code: decoded.code } : {}),
      ...(decoded?.signal !== undefined ? { signal: decoded.signal } : {}),
      zombieMs: since === undefined ? null : Math.max(0, Math.round((t - since) * 10) / 10),
      by: 'parent',
      via,
    });
    this.exitAt.delete(child);
    this.exitStatus.delete(child);
  }

  private info(p: TreeProc): ProcInfo {
    const fds = p.state === 'Z' ? null : (this.holders.table(p.pid)?.count ?? null);
    const cached = this.infos.get(p.pid);
    if (cached && cached.from === p && cached.info.fds === fds) return cached.info;
    const info = this.makeInfo(p, fds);
    this.infos.set(p.pid, { from: p, info });
    return info;
  }

  private makeInfo(p: TreeProc, fds: number | null): ProcInfo {
    return {
      pid: p.pid,
      ppid: p.ppid,
      state: p.state,
      start: Math.round(((p.startTicks * 1000) / clockTicks + this.bootMs) * 10) / 10,
      cmd: p.cmd,
      fds,
      rssKb: (p.rssPages * pageSize) / 1024,
      role: p.pid === this.target.pid ? 'master' : 'worker',
    };
  }

  /** Processes of the server's group no longer under it (their parent exited): orphans. */
  private orphans(procs: Map<number, TreeProc>): number[] {
    const pgid = this.lastTree.get(this.target.pid)?.pgrp ?? this.target.pid;
    const fromGroup = this.target.started ? groupMembers(pgid).filter((m) => !procs.has(m.pid) && m.pid !== this.target.pid && m.state !== 'Z') : [];
    const out = new Set(fromGroup.map((m) => m.pid));
    for (const [pid, before] of this.lastTree) {
      if (procs.has(pid)) continue;
      const st = readStat(pid);
      if (st && st.startTicks === before.startTicks && st.state !== 'Z') out.add(pid);
    }
    return [...out].sort((a, b) => a - b);
  }

  /** The server exited on its own (or, with --pid, went away). */
  private async serverEnded(): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    this.halt();
    const zombies = zombiesOf(this.lastTree, this.target.pid);
    const orphans = this.orphans(new Map());
    const exit = this.target.started ? await within(this.target.exited, 2000) : undefined;
    const code = exit?.code ?? null;
    const signal = exit?.signal ?? null;
    this.emit({
      type: 'master-exit',
      code,
      signal,
      stderr: this.target.stderrTail(),
      expected: false,
      message: O.serverExited(this.target.pid, code, signal),
    });
    let ended: number[] = [];
    if (this.target.started) {
      // Its orphans still run in its group: forkscope started them, so it ends them.
      ended = orphans;
      await endGroup(this.target, orphans, this.opts.graceMs ?? 2000);
    }
    this.close({ zombies, orphans, ended }, this.target.started && (code !== 0 || signal !== null) ? 1 : 0);
  }

  /** Collects events into `out`, as observed, in the name of the server. */
  private collector(out: ContractEvent[]): (t: number, e: Input) => void {
    const root = this.target.pid;
    return (time, input) => void out.push({ ...input, t: time, pid: root, basis: 'observed' } as ContractEvent);
  }

  /** Stops the passes; the reaps a last pass left waiting for their wait4 record are said now. */
  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.unrecorded.size) return;
    const out: ContractEvent[] = [];
    const at = this.collector(out);
    for (const r of this.trace?.read() ?? []) this.traced(r, at);
    for (const [pid, goneAt] of this.unrecorded) this.reapOnce(pid, goneAt, 'proc', at);
    this.unrecorded.clear();
    out.sort((a, b) => a.t - b.t);
    for (const e of out) this.sink(e);
  }

  private close(left: { zombies: number[]; orphans: number[]; ended: number[] }, code: number): void {
    this.emit({ type: 'leftovers', ...left });
    this.emit({ type: 'stopped', code });
    this.trace?.close();
    this.diag.close();
    this.tree.close();
    this.resolveEnded(code);
  }

  private emit(input: Input): void {
    this.sink({ ...input, t: now(), pid: this.target.pid, basis: 'observed' } as ContractEvent);
  }
}

function zombiesOf(procs: Map<number, TreeProc>, root: number): number[] {
  const out: number[] = [];
  for (const [pid, p] of procs) if (pid !== root && p.state === 'Z') out.push(pid);
  return out.sort((a, b) => a - b);
}

/** Polls for the server's listening socket until it appears, the server exits, or time runs out. */
async function waitForListener(target: Target, diag: InetDiag, tree: ProcTree, holders: Holders, opts: ObserveOptions): Promise<Listener> {
  const timeoutMs = opts.listenTimeoutMs ?? 10_000;
  const deadline = now() + timeoutMs;
  let firstSeen: number | null = null;
  let quietSince = 0;
  for (;;) {
    const procs = tree.read(now());
    const root = procs.get(target.pid);
    if (!target.running() || !root || root.state === 'Z') {
      const exit = (await within(target.exited, 2000)) ?? { code: null, signal: null };
      if (!target.started) throw new ObserveError(O.serverExited(target.pid, null, null), 1);
      throw new ObserveError(O.exitedAtOnce(exit.code, exit.signal, target.stderrTail()), 1);
    }
    const live = [...procs.values()].filter((p) => p.state !== 'Z').map((p) => p.pid);
    holders.update(live, target.pid, now());
    const found = findListener(diag, holders, opts.port);
    if (found) {
      if (opts.port !== undefined) return found;
      const t = now();
      firstSeen ??= t;
      if ([...procs.values()].some((p) => p.state === 'R')) quietSince = t;
      if (t - Math.max(firstSeen, quietSince) >= LISTEN_SETTLE_MS || t - firstSeen >= LISTEN_SETTLE_CAP_MS) return found;
    }
    if (opts.signal?.aborted) throw new ObserveError(O.stoppedEarly(String(opts.signal.reason ?? '')), 1);
    if (!found && now() > deadline) {
      const held = opts.port !== undefined ? portsHeld(diag, holders) : [];
      const s = Math.round(timeoutMs / 100) / 10;
      throw new ObserveError(held.length ? O.listensElsewhere(opts.port!, held) : O.neverListened(s, opts.port), 1);
    }
    await sleep(LISTEN_POLL_MS);
  }
}

/**
 * Ends a server forkscope started: SIGTERM to its process group and to `extra` pids (its
 * processes that left the group), SIGKILL to whatever is left after the grace period, then
 * waits (bounded) until none is left.
 */
async function endGroup(target: Target, extra: number[], graceMs: number): Promise<void> {
  const pgid = target.pid;
  const left = (): number[] => [...groupMembers(pgid).filter((m) => m.state !== 'Z').map((m) => m.pid), ...extra.filter(alive)];
  signalGroup(pgid, 'SIGTERM');
  for (const pid of extra) signalPid(pid, 'SIGTERM');
  const deadline = now() + graceMs;
  while (now() < deadline && (target.running() || left().length)) await sleep(20);
  if (target.running() || left().length) {
    signalGroup(pgid, 'SIGKILL');
    for (const pid of left()) signalPid(pid, 'SIGKILL');
  }
  const killDeadline = now() + 5000;
  while (now() < killDeadline && (target.running() || left().length)) await sleep(20);
}

function alive(pid: number): boolean {
  const st = readStat(pid);
  return st !== null && st.state !== 'Z';
}

function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
