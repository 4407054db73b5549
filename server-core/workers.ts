// The master's workers, in one place (gunicorn's arbiter: WORKERS = {pid: worker}), and its
// verbs: spawnWorker, killWorker, reapWorkers, stopWorkers. The fork and prefork models
// decide WHEN to call them; this file knows HOW. Signal handling lives in reaper.ts and
// only queues work for the event loop.
import { Socket } from 'node:net';
import { hostname } from 'node:os';
import { getOrigin, now } from './clock';
import type { Command, ForkscopeEvent, Peer, SignalSentEvent } from './events';
import type { RunContext } from './models/types';
import { P } from './process-strings';
import { pidState } from './proc';
import { Reaper, type ReapedBy } from './reaper';
import { SysError } from './sys/libc';
import { closeFd, makePipe, spawnProcess, workerEnv, workerScript } from './sys/spawn';
import { sendSignal, signalName, signalNumber, type WaitResult } from './sys/wait';
import { ORIGIN_ENV, WORKER_ENV, type WorkerConfig } from './worker/config';

export type WorkerRole = 'connection' | 'pool';

const NL = 0x0a;
/** The events whose type changes what the master knows of a worker, as each line begins. */
const FOLLOWED: [string, Buffer][] = ['worker-ready', 'accept', 'close'].map((t) => [t, Buffer.from(`{"type":"${t}"`)]);
/** starting → idle ⇄ busy → exited (a zombie until reaped; then it leaves WORKERS). */
export type WorkerState = 'starting' | 'idle' | 'busy' | 'exited';

export interface WorkerInfo {
  pid: number;
  role: WorkerRole;
  serial: number;
  conn?: number;
  slot?: number;
  state: WorkerState;
  /** ms on the run's clock. */
  startedAt: number;
  exitedAt?: number;
  /** When its worker-ready event arrived (it loaded the app and is serving). */
  readyAt?: number;
  /** Connections it reported accepting (pool workers) or was handed (1, fork). */
  accepted: number;
  /** The read end of its event pipe, while open. */
  events?: Socket;
  /** worker-timeout: SIGTERM, then SIGKILL. */
  timer?: NodeJS.Timeout;
}

export interface SpawnRequest {
  role: WorkerRole;
  conn?: number;
  /** fork: the client at the other end of the connection. */
  peer?: Peer;
  slot?: number;
  /** Becomes fd 3: the connection (fork) or the listening socket (prefork). */
  socketFd: number;
  /** --child-keeps-listener: the listening socket as fd 5, which the worker keeps. */
  keptListenerFd?: number;
}

export interface ArbiterHooks {
  /** A worker has terminated (zombie or reaped). */
  exited?(w: WorkerInfo): void;
  /** A worker was reaped (w undefined for a pid the master did not know). */
  reaped?(pid: number, result: WaitResult, w: WorkerInfo | undefined): void;
  /** The set of zombies changed; `count` is its size. */
  zombies?(count: number): void;
}

/** A worker given SIGTERM (timeout or shutdown) gets this long before SIGKILL. */
const KILL_GRACE_MS = 1_500;
const SIGTERM = 15;
const SIGKILL = 9;

export class Arbiter {
  /** Every child of the master not yet reaped: running, or exited and a zombie. */
  readonly WORKERS = new Map<number, WorkerInfo>();
  readonly reaper: Reaper;
  private serial = 0;
  private readonly forward: (event: ForkscopeEvent) => void;
  private readonly script = workerScript();

  constructor(
    private readonly ctx: RunContext,
    private readonly hooks: ArbiterHooks = {},
  ) {
    // Worker events already carry the worker's pid and t: pass them on unchanged.
    this.forward =
      ctx.forward ??
      ((event) => {
        const { t: _t, pid: _pid, ...rest } = event;
        ctx.emit(rest as Parameters<typeof ctx.emit>[0]);
      });
    this.reaper = new Reaper(this.WORKERS, ctx.emit, ctx.opts.reap, {
      exited: (child) => this.onExited(child as WorkerInfo),
      reaped: (pid, result, child) => this.hooks.reaped?.(pid, result, child as WorkerInfo | undefined),
      zombies: (count) => this.hooks.zombies?.(count),
    });
  }

  start(): void {
    this.reaper.start();
  }

  /** Workers that have not terminated. */
  liveCount(): number {
    let n = 0;
    for (const w of this.WORKERS.values()) if (w.state !== 'exited') n++;
    return n;
  }

  /**
   * fork + exec one worker (posix_spawn): fd 3 the socket, fd 4 a fresh event pipe.
   * Throws SysError (EAGAIN when the process table is full, EMFILE when no fd is left).
   */
  spawnWorker(req: SpawnRequest): WorkerInfo {
    const { opts, listener } = this.ctx;
    const [readFd, writeFd] = makePipe();
    const serial = ++this.serial;
    const spawnT = now();
    const config: WorkerConfig = {
      role: req.role,
      serial,
      conn: req.conn,
      peer: req.peer,
      slot: req.slot,
      app: opts.app,
      interface: opts.interface,
      keepAlive: opts.keepAlive,
      limits: opts.limits,
      spawnT,
      serverName: serverName(listener.host),
      serverPort: listener.port,
      backlog: listener.backlog,
      maxRequests: req.role === 'pool' ? opts.maxRequests : undefined,
      closeOnly: req.role === 'connection' && opts.parentKeepsConn ? true : undefined,
    };
    const fds = [req.socketFd, writeFd];
    if (req.keptListenerFd !== undefined) fds.push(req.keptListenerFd);
    let spawned;
    try {
      spawned = spawnProcess({
        path: process.execPath,
        // role and id in argv, so `ps` tells the workers apart
        argv: [process.execPath, this.script, req.role, String(req.conn ?? req.slot ?? serial)],
        env: workerEnv({ [WORKER_ENV]: JSON.stringify(config), [ORIGIN_ENV]: getOrigin() }),
        fds,
        // The master's stdin carries its commands and its stdout the event stream: an app's
        // console.log goes to stderr instead, and nothing a worker reads can steal a command.
        stdio: { stdin: 'null', stdout: 'stderr' },
      });
    } catch (err) {
      closeFd(readFd);
      throw err;
    } finally {
      closeFd(writeFd); // only the worker writes: its exit is then EOF here
    }
    const w: WorkerInfo = { pid: spawned.pid, role: req.role, serial, conn: req.conn, slot: req.slot, state: 'starting', startedAt: spawnT, accepted: req.role === 'connection' ? 1 : 0 };
    this.WORKERS.set(w.pid, w);
    this.ctx.emit({
      type: 'fork',
      ...(req.conn !== undefined ? { conn: req.conn } : {}),
      child: w.pid,
      spawnMs: Math.round(spawned.spawnMs * 1000) / 1000,
      role: req.role,
      ...(req.slot !== undefined ? { slot: req.slot } : {}),
      serial,
    });
    this.readEvents(w, readFd);
    if (req.role === 'connection') this.armTimeout(w);
    return w;
  }

  /** kill(2) to one of our workers, said out loud. Returns false when it could not be sent. */
  killWorker(pid: number, signal: number, reason: SignalSentEvent['reason']): boolean {
    try {
      sendSignal(pid, signal);
    } catch (err) {
      this.ctx.emit({ type: 'error', child: pid, code: err instanceof SysError ? err.code : undefined, message: P.killFailed(pid, err) });
      return false;
    }
    this.ctx.emit({ type: 'signal-sent', child: pid, signal: signalName(signal), reason });
    return true;
  }

  /** One waitpid loop now, whatever the policy. Returns how many were reaped. */
  reapWorkers(by: ReapedBy): number {
    return this.reaper.reapAll(by);
  }

  /** reap-now, set-reap and kill; false for a command this class does not handle. */
  command(cmd: Exclude<Command, { cmd: 'stop' }>): boolean {
    switch (cmd.cmd) {
      case 'reap-now':
        this.reapWorkers('reap-now');
        return true;
      case 'set-reap':
        if (cmd.policy !== 'none' && cmd.policy !== 'wait' && cmd.policy !== 'loop') {
          this.ctx.emit({ type: 'error', code: 'BAD_COMMAND', message: P.badPolicy(String(cmd.policy)) });
        } else this.reaper.setPolicy(cmd.policy);
        return true;
      case 'kill': {
        // Only the master's own children: a demo must never signal someone else's process.
        if (!this.WORKERS.has(cmd.pid)) {
          this.ctx.emit({ type: 'error', child: cmd.pid, code: 'NOT_A_CHILD', message: P.notAChild(cmd.pid) });
          return true;
        }
        const sig = signalNumber(cmd.signal);
        if (sig === undefined) this.ctx.emit({ type: 'error', child: cmd.pid, code: 'BAD_SIGNAL', message: P.badSignal(cmd.signal) });
        else if (this.killWorker(cmd.pid, sig, 'command') && pidState(cmd.pid) === 'Z') {
          // Lesson 6: a zombie has already exited; no signal can remove it, only wait() can.
          this.ctx.emit({ type: 'notice', code: 'ZOMBIE_SIGNALLED', message: P.zombieSignalled(cmd.pid, signalName(sig)) });
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** Shutdown: SIGTERM every live worker, SIGKILL the ones still there after a grace, reap them all. */
  async stopWorkers(): Promise<void> {
    for (const w of this.WORKERS.values()) {
      clearTimeout(w.timer);
      if (w.state !== 'exited') this.killWorker(w.pid, SIGTERM, 'shutdown');
    }
    await this.reapUntil(() => this.liveCount() === 0, KILL_GRACE_MS);
    for (const w of this.WORKERS.values()) if (w.state !== 'exited') this.killWorker(w.pid, SIGKILL, 'shutdown');
    await this.reapUntil(() => this.WORKERS.size === 0, KILL_GRACE_MS);
    this.reaper.stop();
    for (const w of this.WORKERS.values()) w.events?.destroy();
  }

  private async reapUntil(done: () => boolean, limitMs: number): Promise<void> {
    const end = Date.now() + limitMs;
    for (;;) {
      this.reaper.reapAll('shutdown');
      if (done() || Date.now() >= end) return;
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  private onExited(w: WorkerInfo): void {
    clearTimeout(w.timer); // exitedAt was set by the reaper when it saw the exit
    w.timer = undefined;
    this.hooks.exited?.(w);
  }

  /** The master reads the worker's NDJSON events from the pipe (epoll, never a thread-pool read). */
  private readEvents(w: WorkerInfo, fd: number): void {
    let sock: Socket;
    try {
      sock = new Socket({ fd, readable: true, writable: false });
    } catch (err) {
      closeFd(fd);
      this.ctx.emit({ type: 'error', child: w.pid, message: String(err) });
      return;
    }
    w.events = sock;
    let rest: Buffer | null = null;
    sock.on('data', (chunk: Buffer) => {
      const end = chunk.lastIndexOf(NL);
      if (end < 0) {
        rest = rest ? Buffer.concat([rest, chunk]) : chunk;
        return;
      }
      const complete = rest ? Buffer.concat([rest, chunk.subarray(0, end + 1)]) : chunk.subarray(0, end + 1);
      rest = end + 1 < chunk.length ? chunk.subarray(end + 1) : null;
      this.onWorkerLines(w, complete);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      w.events = undefined;
    });
  }

  /**
   * A worker's complete event lines. The master only needs the type of a few (to follow the
   * worker's state); in JSON output the bytes are passed on as they are, which keeps a busy
   * prefork pool from making the master decode, parse and re-serialize every event.
   */
  private onWorkerLines(w: WorkerInfo, lines: Buffer): void {
    const raw = this.ctx.forwardLines;
    if (raw) {
      this.followLines(w, lines);
      raw(lines);
      return;
    }
    for (const line of lines.toString('utf8').split('\n')) {
      if (!line) continue;
      let event: ForkscopeEvent;
      try {
        event = JSON.parse(line) as ForkscopeEvent;
      } catch {
        continue; // a worker writes only our own JSON; anything else is not an event
      }
      this.followWorker(w, event.type);
      this.forward(event);
    }
  }

  /**
   * Our worker writes `type` first in every line (event-json.ts), so the lines that matter are
   * found by their opening bytes, in order, without reading the rest.
   */
  private followLines(w: WorkerInfo, lines: Buffer): void {
    // Where each marker next occurs (-1: nowhere further): each is searched for again only
    // past its own last find, so the lines are read about once per marker.
    const next = FOLLOWED.map(([, marker]) => lines.indexOf(marker));
    for (;;) {
      let k = -1;
      for (let i = 0; i < next.length; i++) if (next[i] >= 0 && (k < 0 || next[i] < next[k])) k = i;
      if (k < 0) return;
      const at = next[k];
      // Only at the start of a line (inside a line the quotes would be escaped, but be sure).
      if (at === 0 || lines[at - 1] === NL) this.followWorker(w, FOLLOWED[k][0]);
      next[k] = lines.indexOf(FOLLOWED[k][1], at + 1);
    }
  }

  /** The worker's state, from the events it reports. */
  private followWorker(w: WorkerInfo, type: string): void {
    if (w.state === 'exited') return;
    if (type === 'worker-ready' && w.state === 'starting') {
      w.state = 'idle';
      w.readyAt = now();
    } else if (type === 'accept') {
      w.state = 'busy';
      w.accepted++;
      if (w.role === 'pool') this.armTimeout(w);
    } else if (type === 'close' && w.role === 'pool') {
      w.state = 'idle';
      clearTimeout(w.timer);
    }
  }

  /** --worker-timeout: a connection worker from its start, a pool worker from each accept. */
  private armTimeout(w: WorkerInfo): void {
    const s = this.ctx.opts.workerTimeoutS;
    if (!(s > 0)) return;
    clearTimeout(w.timer);
    w.timer = setTimeout(() => this.timeOut(w), s * 1000);
    w.timer.unref();
  }

  private timeOut(w: WorkerInfo): void {
    if (w.state === 'exited' || !this.WORKERS.has(w.pid)) return;
    this.ctx.emit({ type: 'notice', code: 'WORKER_TIMEOUT', message: P.workerTimeout(w.pid, this.ctx.opts.workerTimeoutS) });
    this.killWorker(w.pid, SIGTERM, 'worker-timeout');
    w.timer = setTimeout(() => {
      if (w.state !== 'exited' && this.WORKERS.has(w.pid)) this.killWorker(w.pid, SIGKILL, 'worker-timeout');
    }, KILL_GRACE_MS);
    w.timer.unref();
  }
}

/** What WSGI calls SERVER_NAME, as serve.ts tells the in-process app. */
function serverName(host: string): string {
  if (/^(127\.|::1$)/.test(host)) return 'localhost';
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host;
}

/**
 * Stops and resumes accepting for named reasons (max-zombies, EMFILE), saying so with an
 * `accepting` event and a notice; accepting resumes when no reason is left.
 */
export class AcceptGate {
  private readonly reasons = new Map<string, string>();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly emit: RunContext['emit'],
    private readonly onChange: () => void = () => {},
  ) {}

  get open(): boolean {
    return this.reasons.size === 0;
  }

  has(reason: string): boolean {
    return this.reasons.has(reason);
  }

  close(reason: string, message: string): void {
    if (this.reasons.has(reason)) return;
    const wasOpen = this.open;
    this.reasons.set(reason, message);
    if (wasOpen) {
      this.emit({ type: 'accepting', on: false, reason });
      this.emit({ type: 'notice', code: reason.toUpperCase().replace(/-/g, '_'), message });
      this.onChange();
    }
  }

  reopen(reason: string, message?: string): void {
    if (!this.reasons.delete(reason)) return;
    if (!this.open) return;
    this.emit({ type: 'accepting', on: true, reason });
    if (message) this.emit({ type: 'notice', message });
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
    this.onChange();
  }

  /** Resolves when accepting is allowed (at once when it is). */
  wait(): Promise<void> {
    if (this.open) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Releases anyone waiting (shutdown). */
  release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
