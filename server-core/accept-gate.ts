// Stops and resumes accepting for named reasons (--max-zombies, EMFILE), so the master never
// spins and never fills the process table; said with an `accepting` event and a notice.
import type { Emit } from './emit';

/**
 * Stops and resumes accepting for named reasons (max-zombies, EMFILE), saying so with an
 * `accepting` event and a notice; accepting resumes when no reason is left.
 */
export class AcceptGate {
  private readonly reasons = new Map<string, string>();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly emit: Emit,
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
