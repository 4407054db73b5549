// What `forkscope serve` prints on stdout, gathered and written in one go at the end of the
// current callback (a microtask): a request makes half a dozen events, and one write() each
// would be half a dozen system calls (stdout is synchronous for files and pipes on Linux).
// A microtask, not setImmediate: the events of a callback are out before any later callback
// runs — an `accept` reaches stdout before the response reaches the client. Order is kept,
// and whatever is pending is written before the process exits.

/** Above this much pending text, write at once rather than wait for the end of the turn. */
const MAX_PENDING = 64 * 1024;

export class BatchedOutput {
  private pending = '';
  private scheduled = false;

  constructor(private readonly write: (text: string) => void) {
    process.on('exit', () => this.flush());
  }

  /** Queues text; it is written at the end of the current callback, in order. */
  add(text: string): void {
    this.pending += text;
    if (this.pending.length > MAX_PENDING) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushScheduled);
    }
  }

  /** Writes whatever is pending now. */
  flush(): void {
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.write(text);
  }

  private flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
