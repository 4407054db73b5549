// The master's workers, in one place (gunicorn's arbiter: WORKERS = {pid: worker}), and its
// verbs: spawnWorker, killWorker, reapWorkers, stopWorkers. The fork and prefork models
// decide WHEN to call them; this file knows HOW, and decides what a worker's end means.
// What the master knows of a worker comes from three places, never from its narration:
//   - its control messages (worker/control.ts), through a small dispatch table;
//   - the kernel: SIGCHLD, /proc (zombies.ts), and what waitpid() collects (reaper.ts);
//   - its own clock: --worker-timeout, per request.
// A worker's events are passed on as they are (the bytes, in JSON output).
import { Socket } from 'node:net';
import { hostname } from 'node:os';
import { getOrigin, now } from './clock';
import type { Command, ForkscopeEvent, Peer, ReapEvent, SignalSentEvent } from './events';
import type { RunContext } from './models/types';
import { P } from './process-strings';
import { hasProc, pidState } from './proc';
import { Reaper } from './reaper';
import { SysError } from './sys/libc';
import { closeFd, makePipe, spawnProcess, workerEnv, workerScript } from './sys/spawn';
import { sendSignal, signalName, signalNumber, type WaitResult } from './sys/wait';
import { ORIGIN_ENV, WORKER_ENV, type WorkerConfig } from './worker/config';
import type { ControlMessage } from './worker/control';
import { Zombies } from './zombies';

export type WorkerRole = 'connection' | 'pool';

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
  /** When the master learned it had ended. */
  exitedAt?: number;
  /** When it said `ready` (it loaded the app and is serving). */
  readyAt?: number;
  /** It said its request budget is spent (it is finishing). */
  retiring?: boolean;
  /** It said its app failed. */
  failed?: boolean;
  /** The read ends of its event and control pipes, while open. */
  events?: Socket;
  control?: Socket;
  /** --worker-timeout: SIGTERM, then SIGKILL. */
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
  /** --child-keeps-listener: the listening socket as fd 6, which the worker keeps. */
  keptListenerFd?: number;
}

export interface ArbiterHooks {
  /** A worker has ended (the master has just learned it: a zombie until reaped, or reaped at once). */
  exited?(w: WorkerInfo): void;
  /** The set of zombies changed; `count` is its size. */
  zombies?(count: number): void;
}

/** A worker given SIGTERM (timeout or shutdown) gets this long before SIGKILL. */
const KILL_GRACE_MS = 1_500;
/** How often running workers are looked up in /proc between signals (a burst may raise one SIGCHLD). */
const LOOK_INTERVAL_MS = 200;
const SIGTERM = 15;
const SIGKILL = 9;
const NL = 0x0a;

export class Arbiter {
  /** Every child of the master not yet reaped: running, or exited and a zombie. */
  readonly WORKERS = new Map<number, WorkerInfo>();
  private readonly reaper: Reaper;
  private readonly zombieWatch: Zombies;
  private policy: RunContext['opts']['reap'];
  private signals = 0;
  private serial = 0;
  private lookTimer: NodeJS.Timeout | null = null;
  private readonly forward: (event: ForkscopeEvent) => void;
  private readonly script = workerScript();

  /** What each control message means to the master (Node's cluster keeps such a table). */
  private readonly onControl: { [K in ControlMessage['m']]: (w: WorkerInfo, msg: Extract<ControlMessage, { m: K }>) => void } = {
    ready: (w) => {
      w.readyAt = now();
      if (w.state === 'starting') w.state = 'idle';
      this.clearTimeout(w);
    },
    busy: (w, msg) => {
      w.state = 'busy';
      this.armTimeout(w, msg.since);
    },
    idle: (w) => {
      w.state = 'idle';
      this.clearTimeout(w);
    },
    budget: (w) => {
      w.retiring = true;
    },
    failed: (w) => {
      w.failed = true;
    },
  };

  constructor(
    private readonly ctx: RunContext,
    private readonly hooks: ArbiterHooks = {},
  ) {
    this.policy = ctx.opts.reap;
    // Worker events already carry the worker's pid and t: pass them on unchanged.
    this.forward =
      ctx.forward ??
      ((event) => {
        const { t: _t, pid: _pid, ...rest } = event;
        ctx.emit(rest as Parameters<typeof ctx.emit>[0]);
      });
    this.reaper = new Reaper((count) => this.onSigchld(count));
    this.zombieWatch = new Zombies(ctx.emit, (count) => this.hooks.zombies?.(count));
  }

  start(): void {
    this.reaper.start();
    if (hasProc) {
      this.lookTimer = setInterval(() => this.lookAndPublish(), LOOK_INTERVAL_MS);
      this.lookTimer.unref();
    }
  }

  /** Workers that have not ended. */
  liveCount(): number {
    let n = 0;
    for (const w of this.WORKERS.values()) if (w.state !== 'exited') n++;
    return n;
  }

  /**
   * fork + exec one worker (posix_spawn): fd 3 the socket, fd 4 a fresh event pipe, fd 5 a
   * fresh control pipe. Rejects with SysError (EAGAIN when the process table is full, EMFILE
   * when no fd is left).
   */
  async spawnWorker(req: SpawnRequest): Promise<WorkerInfo> {
    const { opts, listener } = this.ctx;
    const [eventsRead, eventsWrite] = makePipe();
    let controlPipe: [number, number];
    try {
      controlPipe = makePipe();
    } catch (err) {
      closeFd(eventsRead);
      closeFd(eventsWrite);
      throw err;
    }
    const [controlRead, controlWrite] = controlPipe;
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
      masterPid: process.pid,
      calls: opts.calls || undefined,
      serverName: serverName(listener.host),
      serverPort: listener.port,
      backlog: listener.backlog,
      maxRequests: req.role === 'pool' ? opts.maxRequests : undefined,
      workerConnections: req.role === 'pool' ? opts.workerConnections : undefined,
      closeOnly: req.role === 'connection' && opts.parentKeepsConn ? true : undefined,
    };
    const fds = [req.socketFd, eventsWrite, controlWrite];
    if (req.keptListenerFd !== undefined) fds.push(req.keptListenerFd);
    let spawned;
    try {
      spawned = await spawnProcess({
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
      closeFd(eventsRead);
      closeFd(controlRead);
      throw err;
    } finally {
      // Only the worker writes: its exit is then end-of-file here.
      closeFd(eventsWrite);
      closeFd(controlWrite);
    }
    const w: WorkerInfo = { pid: spawned.pid, role: req.role, serial, conn: req.conn, slot: req.slot, state: 'starting', startedAt: spawnT };
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
    w.events = this.readPipe(w, eventsRead, (lines) => this.onWorkerEvents(lines));
    w.control = this.readPipe(w, controlRead, (lines) => this.onControlLines(w, lines));
    // A worker that never gets to `ready` (it hangs while starting) is timed out too.
    this.armTimeout(w, spawnT);
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
  reapWorkers(by: ReapEvent['by']): number {
    this.noticeEnded('proc');
    const collected = this.collect(this.reaper.collectAll(), by);
    this.zombieWatch.publish(this.WORKERS.values());
    return collected;
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
        } else {
          this.policy = cmd.policy;
          this.ctx.emit({ type: 'reap-policy', policy: cmd.policy });
        }
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
          // A zombie has already exited; no signal can remove it, only wait() can.
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
      this.clearTimeout(w);
      if (w.state !== 'exited') this.killWorker(w.pid, SIGTERM, 'shutdown');
    }
    await this.reapUntil(() => this.liveCount() === 0, KILL_GRACE_MS);
    for (const w of this.WORKERS.values()) if (w.state !== 'exited') this.killWorker(w.pid, SIGKILL, 'shutdown');
    await this.reapUntil(() => this.WORKERS.size === 0, KILL_GRACE_MS);
    this.reaper.stop();
    if (this.lookTimer) clearInterval(this.lookTimer);
    for (const w of this.WORKERS.values()) {
      w.events?.destroy();
      w.control?.destroy();
    }
  }

  private async reapUntil(done: () => boolean, limitMs: number): Promise<void> {
    const end = Date.now() + limitMs;
    for (;;) {
      this.reapWorkers('shutdown');
      if (done() || Date.now() >= end) return;
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  // ── the kernel's side: SIGCHLD, /proc, waitpid ──────────────────────────────
  /** Each SIGCHLD answered as the reaping policy says. */
  private onSigchld(count: number): void {
    for (let i = 0; i < count; i++) {
      this.ctx.emit({ type: 'sigchld', n: ++this.signals });
      this.noticeEnded('sigchld');
      this.collect(this.reaper.answerSignal(this.policy), this.policy === 'wait' ? 'wait' : 'loop');
    }
    this.zombieWatch.publish(this.WORKERS.values());
  }

  private lookAndPublish(): void {
    this.noticeEnded('proc');
    this.zombieWatch.publish(this.WORKERS.values());
  }

  /** Workers /proc shows ended that the master did not know of. */
  private noticeEnded(via: 'sigchld' | 'proc'): void {
    for (const child of this.zombieWatch.endedAmong(this.WORKERS.values())) this.ended(child as WorkerInfo, via);
  }

  /** The master has learned a worker has ended: what that means is decided here, once. */
  private ended(w: WorkerInfo, via: 'sigchld' | 'proc' | 'waitpid'): void {
    w.state = 'exited';
    w.exitedAt = now();
    this.clearTimeout(w);
    this.ctx.emit({ type: 'exit', child: w.pid, via });
    this.hooks.exited?.(w);
  }

  /** What waitpid() collected: each leaves the table (gunicorn's reap_workers pops it). */
  private collect(results: WaitResult[], by: ReapEvent['by']): number {
    for (const result of results) {
      const w = this.WORKERS.get(result.pid);
      if (w && w.state !== 'exited') this.ended(w, 'waitpid');
      const zombieMs = w?.exitedAt !== undefined ? Math.max(0, now() - w.exitedAt) : null;
      this.WORKERS.delete(result.pid);
      this.ctx.emit({
        type: 'reap',
        child: result.pid,
        ...(result.code !== undefined ? { code: result.code } : {}),
        ...(result.signal !== undefined ? { signal: result.signal } : {}),
        zombieMs: zombieMs === null ? null : Math.round(zombieMs * 1000) / 1000,
        by,
      });
    }
    return results.length;
  }

  // ── --worker-timeout: per request ──────────────────────────────────────────
  /** From the worker's start until `ready`, then from each request's arrival (`busy`) to its answer (`idle`). */
  private armTimeout(w: WorkerInfo, since: number): void {
    const s = this.ctx.opts.workerTimeoutS;
    if (!(s > 0) || w.state === 'exited') return;
    clearTimeout(w.timer);
    w.timer = setTimeout(() => this.timeOut(w), Math.max(0, since + s * 1000 - now()));
    w.timer.unref();
  }

  private clearTimeout(w: WorkerInfo): void {
    clearTimeout(w.timer);
    w.timer = undefined;
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

  // ── the worker's pipes ─────────────────────────────────────────────────────
  /** Reads a pipe from the worker (epoll, never a thread-pool read), in whole lines. */
  private readPipe(w: WorkerInfo, fd: number, onLines: (lines: Buffer) => void): Socket | undefined {
    let sock: Socket;
    try {
      sock = new Socket({ fd, readable: true, writable: false });
    } catch (err) {
      closeFd(fd);
      this.ctx.emit({ type: 'error', child: w.pid, message: String(err) });
      return undefined;
    }
    let rest: Buffer | null = null;
    sock.on('data', (chunk: Buffer) => {
      const end = chunk.lastIndexOf(NL);
      if (end < 0) {
        rest = rest ? Buffer.concat([rest, chunk]) : chunk;
        return;
      }
      const complete = rest ? Buffer.concat([rest, chunk.subarray(0, end + 1)]) : chunk.subarray(0, end + 1);
      rest = end + 1 < chunk.length ? chunk.subarray(end + 1) : null;
      onLines(complete);
    });
    sock.on('error', () => {});
    return sock;
  }

  /**
   * A worker's events, passed on: in JSON output as the bytes they are (no decoding, no
   * parse, no re-serializing on the master's busy path), else parsed for the human log.
   */
  private onWorkerEvents(lines: Buffer): void {
    const raw = this.ctx.forwardLines;
    if (raw) return raw(lines);
    for (const line of lines.toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        this.forward(JSON.parse(line) as ForkscopeEvent);
      } catch {
        // a worker writes only our own JSON; anything else is not an event
      }
    }
  }

  private onControlLines(w: WorkerInfo, lines: Buffer): void {
    for (const line of lines.toString('utf8').split('\n')) {
      if (!line) continue;
      let msg: ControlMessage;
      try {
        msg = JSON.parse(line) as ControlMessage;
      } catch {
        continue;
      }
      const handle = this.onControl[msg.m] as ((w: WorkerInfo, m: ControlMessage) => void) | undefined;
      if (handle && w.state !== 'exited') handle(w, msg);
    }
  }
}

/** What WSGI calls SERVER_NAME, as serve.ts tells the in-process app. */
function serverName(host: string): string {
  if (/^(127\.|::1$)/.test(host)) return 'localhost';
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host;
}
