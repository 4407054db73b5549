// A prefork worker's --max-requests: it counts requests, as gunicorn's max_requests does, not
// connections — under keep-alive one connection may carry many (Apache 2.4 counts connections
// and renamed the setting MaxConnectionsPerChild for that reason). When the budget is spent
// the worker stops accepting, answers the request in hand with `Connection: close`, closes
// its keep-alive connections as they fall idle, and exits once the last one is closed.
import type { EventInput } from '../events';

/** A connection the budget can close: a net.Socket (Node's path) or a direct one (kept.ts). */
interface Closable {
  end(): void;
}

interface Tracked {
  socket: Closable;
  /** A request is being answered. */
  busy: boolean;
  /** Requests answered on this connection so far. */
  served: number;
}

export class RequestBudget {
  private requests = 0;
  private readonly conns = new Map<number, Tracked>();
  /** The budget is spent: no more keep-alive, no more accepts. */
  spent = false;

  /** `max` 0: no limit. `onSpent` runs once, when the max-th request arrives. */
  constructor(
    private readonly max: number,
    private readonly onSpent: () => void,
  ) {}

  opened(conn: number, socket: Closable): void {
    this.conns.set(conn, { socket, busy: false, served: 0 });
  }

  /** Sees every event the worker emits, before the connection acts on it. */
  note(event: EventInput): void {
    const c = 'conn' in event && event.conn !== undefined ? this.conns.get(event.conn) : undefined;
    switch (event.type) {
      case 'request':
        if (c) c.busy = true;
        this.requests++;
        if (this.max && !this.spent && this.requests >= this.max) this.spend();
        break;
      case 'response':
        if (!c) break;
        c.busy = false;
        c.served++;
        // Answered with keep-alive before the budget ran out elsewhere: end it now.
        if (this.spent) c.socket.end();
        break;
      case 'close':
        if (event.conn !== undefined) this.conns.delete(event.conn);
        break;
    }
  }

  private spend(): void {
    this.spent = true;
    this.onSpent();
    // Idle keep-alive connections would otherwise keep the worker (and its slot) until the
    // read timeout. One that has not sent its first request yet is left to send it: it was
    // accepted, so it is answered (with Connection: close).
    for (const c of this.conns.values()) if (!c.busy && c.served > 0) c.socket.end();
  }
}
