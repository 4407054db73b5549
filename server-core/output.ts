// What `forkscope serve` prints on stdout, gathered and written in one go once per turn of the
// event loop (setImmediate): a request makes half a dozen events, and one write() each would be
// half a dozen system calls (stdout is synchronous for files and pipes on Linux).
// The events that describe a connection must not lag behind its bytes: whoever watches both
// (a test, the client panel) should see the `accept` before the response arrives. So pending
// text is also written just before bytes go out to a client (flushBeforeWire(), called by the
// transcript tap). Order is kept, and whatever is pending is written before the process exits.

/** Above this much pending text, write at once rather than wait for the end of the turn. */
const MAX_PENDING = 64 * 1024;

/** Every output with text pending (at most one per process in practice: serve's stdout). */
const waiting = new Set<BatchedOutput>();

export class BatchedOutput {
  private pending = '';
  /** Bytes queued (a worker's event lines, passed on as they came), with the text before them. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private immediate: NodeJS.Immediate | null = null;

  constructor(private readonly write: (text: string | Buffer) => void) {
    process.on('exit', () => this.flush());
  }

  /** Queues text or UTF-8 bytes; written at the end of this turn of the event loop, in order. */
  add(text: string | Buffer): void {
    if (typeof text === 'string') this.pending += text;
    else {
      if (this.pending) this.parts.push(Buffer.from(this.pending));
      this.pending = '';
      this.parts.push(text);
      this.partBytes += text.length;
    }
    if (this.pending.length + this.partBytes > MAX_PENDING) this.flush();
    else if (!this.immediate) {
      this.immediate = setImmediate(this.flushScheduled);
      waiting.add(this);
    }
  }

  /** Writes whatever is pending now. */
  flush(): void {
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = null;
      waiting.delete(this);
    }
    if (this.parts.length) {
      if (this.pending) this.parts.push(Buffer.from(this.pending));
      const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
      this.parts = [];
      this.partBytes = 0;
      this.pending = '';
      this.write(bytes);
      return;
    }
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.write(text);
  }

  private flushScheduled = (): void => {
    this.immediate = null;
    waiting.delete(this);
    this.flush();
  };
}

/** Writes all pending output now: called right before bytes are handed to a client's socket. */
export function flushBeforeWire(): void {
  if (waiting.size === 0) return;
  for (const output of [...waiting]) output.flush();
}
