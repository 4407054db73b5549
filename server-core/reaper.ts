// SIGCHLD and wait(): how the master learns its workers have ended and collects them.
// Three policies, the seed's three handlers (lessons 6–8):
//   none — SIGCHLD is counted, never answered with a wait: every finished worker stays a zombie.
//   wait — one waitpid per SIGCHLD, the seed's first, flawed handler: signals are not queued,
//          so a burst of exits raises fewer SIGCHLDs than children and zombies are left behind.
//   loop — waitpid(-1, WNOHANG) until nothing is left: every zombie of a burst is collected.
// The signal handler only queues and wakes the loop (gunicorn's arbiter tone); the work runs
// on the next turn of the event loop.
import type { Emit } from './emit';
import type { ReapEvent, ReapPolicy } from './events';
import { now } from './clock';
import { hasProc, pidState } from './proc';
import { waitNoHang, type WaitResult } from './sys/wait';

/** What the reaper needs to know of a child; the arbiter's WorkerInfo is one. */
export interface ChildRecord {
  pid: number;
  state: string;
  /** ms on the run's clock when the master learned the child had ended. */
  exitedAt?: number;
}

export type ReapedBy = ReapEvent['by'];

export interface ReaperHooks {
  /** The child has terminated (a zombie until reaped, or reaped at once). */
  exited(child: ChildRecord): void;
  /** waitpid collected it; `child` is undefined for a pid the master did not know. */
  reaped(pid: number, result: WaitResult, child: ChildRecord | undefined): void;
  /** The set of the master's children in state Z changed (its size is `count`). */
  zombies(count: number): void;
}

/** How often known children are looked up in /proc between signals (a burst may raise one SIGCHLD). */
const LOOK_INTERVAL_MS = 200;

export class Reaper {
  private policy: ReapPolicy;
  /** SIGCHLD deliveries seen so far. */
  private signals = 0;
  private queued = 0;
  private woken = false;
  /** The zombie pids last reported, as a key: the event goes out when the set changes. */
  private lastZombies = '';
  private timer: NodeJS.Timeout | null = null;
  private readonly onSigchld = (): void => {
    this.queued++;
    this.wake();
  };

  constructor(
    /** The arbiter's table of children (pid → record); the reaper marks records exited and deletes reaped ones. */
    private readonly table: Map<number, ChildRecord>,
    private readonly emit: Emit,
    policy: ReapPolicy,
    private readonly hooks: ReaperHooks,
  ) {
    this.policy = policy;
  }

  start(): void {
    process.on('SIGCHLD', this.onSigchld);
    if (hasProc) {
      this.timer = setInterval(() => this.lookAndPublish(), LOOK_INTERVAL_MS);
      this.timer.unref();
    }
  }

  stop(): void {
    process.removeListener('SIGCHLD', this.onSigchld);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get currentPolicy(): ReapPolicy {
    return this.policy;
  }

  setPolicy(policy: ReapPolicy): void {
    this.policy = policy;
    this.emit({ type: 'reap-policy', policy });
  }

  /** One waitpid(-1, WNOHANG) loop, whatever the policy (the `reap-now` command, shutdown). */
  reapAll(by: ReapedBy): number {
    this.look('proc');
    let n = 0;
    while (this.reapOne(by)) n++;
    this.publishZombies();
    return n;
  }

  /** Looks known children up in /proc and reports any change in the zombie count. */
  lookAndPublish(): void {
    this.look('proc');
    this.publishZombies();
  }

  /** How many known children are zombies now (exited, not yet reaped). */
  zombieCount(): number {
    let n = 0;
    for (const c of this.table.values()) if (c.state === 'exited') n++;
    return n;
  }

  private wake(): void {
    if (this.woken) return;
    this.woken = true;
    setImmediate(() => {
      this.woken = false;
      this.drain();
    });
  }

  /** Answers each queued SIGCHLD as the policy says. */
  private drain(): void {
    const queued = this.queued;
    this.queued = 0;
    for (let i = 0; i < queued; i++) {
      this.signals++;
      this.emit({ type: 'sigchld', n: this.signals });
      this.look('sigchld');
      if (this.policy === 'wait') this.reapOne('wait');
      else if (this.policy === 'loop') while (this.reapOne('loop'));
    }
    this.publishZombies();
  }

  /** A child that has terminated shows as Z in /proc until it is reaped. */
  private look(via: 'sigchld' | 'proc'): void {
    if (!hasProc) return;
    for (const child of this.table.values()) {
      if (child.state === 'exited') continue;
      // A pid not yet reaped cannot be reused, so its /proc entry is still this child.
      const state = pidState(child.pid);
      if (state === 'Z' || state === 'X') this.markExited(child, via);
    }
  }

  private markExited(child: ChildRecord, via: 'sigchld' | 'proc' | 'waitpid'): void {
    child.state = 'exited';
    child.exitedAt = now();
    this.emit({ type: 'exit', child: child.pid, via });
    this.hooks.exited(child);
  }

  /** One waitpid(-1, WNOHANG). Returns false when no child was waiting to be collected. */
  private reapOne(by: ReapedBy): boolean {
    const result = waitNoHang(-1);
    if (!result) return false;
    const child = this.table.get(result.pid);
    if (child && child.state !== 'exited') this.markExited(child, 'waitpid');
    const zombieMs = child?.exitedAt !== undefined ? Math.max(0, now() - child.exitedAt) : null;
    this.table.delete(result.pid);
    this.emit({
      type: 'reap',
      child: result.pid,
      ...(result.code !== undefined ? { code: result.code } : {}),
      ...(result.signal !== undefined ? { signal: result.signal } : {}),
      zombieMs: zombieMs === null ? null : Math.round(zombieMs * 1000) / 1000,
      by,
    });
    this.hooks.reaped(result.pid, result, child);
    return true;
  }

  private publishZombies(): void {
    const pids: number[] = [];
    for (const c of this.table.values()) if (c.state === 'exited') pids.push(c.pid);
    pids.sort((a, b) => a - b);
    // The set, not just the count: a reap and an exit in one turn keep the count but change who.
    const key = pids.join(',');
    if (key === this.lastZombies) return;
    this.lastZombies = key;
    this.emit({ type: 'zombies', count: pids.length, pids });
    this.hooks.zombies(pids.length);
  }
}
