// A prefork worker's --max-requests: it counts requests, as gunicorn's max_requests does, not
// connections — under keep-alive one connection may carry many (Apache 2.4 counts connections
// and renamed the setting MaxConnectionsPerChild for that reason). When the budget is spent
// the worker stops accepting, answers the request in hand with `Connection: close`, closes
// its keep-alive connections as they fall idle, and exits once the last one is closed.
// The connections tell it what happens through their hooks (http/types.ts ConnectionHooks).

/** A connection the budget can end once its request in hand is answered. */
interface Endable {
  end(): void;
}

interface Tracked {
  connection: Endable;
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

  opened(conn: number, connection: Endable): void {
    this.conns.set(conn, { connection, busy: false, served: 0 });
  }

  requestStarted(conn: number): void {
    const c = this.conns.get(conn);
    if (c) c.busy = true;
    this.requests++;
    if (this.max && !this.spent && this.requests >= this.max) this.spend();
  }

  requestDone(conn: number): void {
    const c = this.conns.get(conn);
    if (!c) return;
    c.busy = false;
    c.served++;
    // Answered with keep-alive before the budget ran out elsewhere: end it now.
    if (this.spent) c.connection.end();
  }

  closed(conn: number): void {
    this.conns.delete(conn);
  }

  private spend(): void {
    this.spent = true;
    this.onSpent();
    // Idle keep-alive connections would otherwise keep the worker (and its slot) until the
    // read timeout. One that has not sent its first request yet is left to send it: it was
    // accepted, so it is answered (with Connection: close).
    for (const c of this.conns.values()) if (!c.busy && c.served > 0) c.connection.end();
  }
}
