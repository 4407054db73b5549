// SIGCHLD and wait(): how the master learns its workers have ended and collects them — the
// tutorial's zombie lessons. The reaper only counts signals and makes the waitpid() calls;
// it returns what it collected, and the Arbiter (workers.ts), which owns the table of
// workers, decides what each end means (as gunicorn's arbiter pops its own WORKERS table).
// Three policies, the tutorial's three handlers:
//   none — SIGCHLD is counted, never answered with a wait: every finished worker stays a zombie.
//   wait — one waitpid per SIGCHLD, the tutorial's first, flawed handler: signals are not
//          queued, so a burst of exits raises fewer SIGCHLDs than children and zombies are
//          left behind.
//   loop — waitpid(-1, WNOHANG) until nothing is left: every zombie of a burst is collected.
// The signal handler only counts and wakes the loop (gunicorn's arbiter tone); the work runs
// on the next turn of the event loop.
import type { ReapPolicy } from './events';
import { waitNoHang, type WaitResult } from './sys/wait';

export class Reaper {
  private queued = 0;
  private woken = false;
  private readonly onSigchld = (): void => {
    this.queued++;
    if (this.woken) return;
    this.woken = true;
    setImmediate(this.deliver);
  };

  /** `signals(count)`: SIGCHLD arrived `count` times since the last turn (a burst may merge into one). */
  constructor(private readonly signals: (count: number) => void) {}

  start(): void {
    process.on('SIGCHLD', this.onSigchld);
  }

  stop(): void {
    process.removeListener('SIGCHLD', this.onSigchld);
  }

  private readonly deliver = (): void => {
    this.woken = false;
    const count = this.queued;
    this.queued = 0;
    if (count) this.signals(count);
  };

  /** What the policy does for one SIGCHLD: the children it collected. */
  answerSignal(policy: ReapPolicy): WaitResult[] {
    if (policy === 'none') return [];
    // The tutorial's first handler: one wait() per signal. Signals are not queued.
    if (policy === 'wait') {
      const one = waitNoHang(-1);
      return one ? [one] : [];
    }
    return this.collectAll();
  }

  /** waitpid(-1, WNOHANG) until no child is left to collect (reap-now, shutdown, the loop policy). */
  collectAll(): WaitResult[] {
    const out: WaitResult[] = [];
    for (let r = waitNoHang(-1); r; r = waitNoHang(-1)) out.push(r);
    return out;
  }
}
