// Control messages, worker → master, on their own pipe (fd 5), apart from the events a worker
// narrates on fd 4: what the master needs to manage its workers, as Node's cluster sends
// `online` and `listening` apart from anything else. The master never reads the narration
// for any of this (workers.ts has the dispatch table).
//   ready   the app is loaded: the worker serves
//   busy    a request is in hand; `since` is when the oldest one arrived (the worker timeout
//           counts from there, per request, never over idle keep-alive time)
//   idle    no request in hand
//   budget  --max-requests is spent: it takes no more connections and exits once they are done
//   failed  the app failed: it exits 1 once its connections are done
import { writeSync } from 'node:fs';

export type ControlMessage =
  | { m: 'ready' }
  | { m: 'busy'; since: number }
  | { m: 'idle' }
  | { m: 'budget' }
  | { m: 'failed' };

/**
 * Messages wait for the worker's next write to its master (main.ts sends events and control
 * messages together, a few times a millisecond at most: each write wakes the master). busy and
 * idle coalesce: only the latest state goes out.
 */
export class ControlChannel {
  private queued: ControlMessage[] = [];
  /** The latest busy/idle state not yet sent. */
  private state: ControlMessage | null = null;
  private sentState = 'idle';
  private open = true;

  /** `wake()` asks for the next write to be scheduled. */
  constructor(
    private readonly fd: number,
    private readonly wake: () => void,
  ) {}

  /** ready, budget, failed: each is sent. */
  send(message: ControlMessage): void {
    this.queued.push(message);
    this.wake();
  }

  /** busy (with the oldest request's arrival) or idle: only the latest is sent. */
  setState(message: Extract<ControlMessage, { m: 'busy' | 'idle' }>): void {
    this.state = message;
    this.wake();
  }

  /** Writes what is queued (synchronously: also at exit). */
  flush(): void {
    const out = this.queued;
    this.queued = [];
    if (this.state) {
      const key = this.state.m === 'busy' ? `busy ${this.state.since}` : 'idle';
      if (key !== this.sentState) out.push(this.state);
      this.sentState = key;
      this.state = null;
    }
    if (!out.length || !this.open) return;
    const data = Buffer.from(`${out.map((m) => JSON.stringify(m)).join('\n')}\n`);
    try {
      for (let off = 0; off < data.length; ) off += writeSync(this.fd, data, off);
    } catch {
      this.open = false; // the master is gone
    }
  }
}

/**
 * The requests a worker has in hand, for busy/idle: one per connection at a time (a
 * connection reads its next request only once the last one is answered).
 */
export class RequestsInHand {
  private readonly since = new Map<number, number>();

  constructor(private readonly control: ControlChannel) {}

  started(conn: number, at: number): void {
    this.since.set(conn, at);
    this.tell();
  }

  done(conn: number): void {
    if (this.since.delete(conn)) this.tell();
  }

  get count(): number {
    return this.since.size;
  }

  private tell(): void {
    let oldest = Infinity;
    for (const t of this.since.values()) if (t < oldest) oldest = t;
    this.control.setState(oldest === Infinity ? { m: 'idle' } : { m: 'busy', since: oldest });
  }
}
