// A client cannot read an answer before the server has read the request. The worker's events
// reach the timeline through the master's pipe, and a master starved of the CPU passes them
// on late — later than the reorder window, while the client's own events are on time. So a
// client's first byte waits in the timeline until the server's word on that connection (its
// request, or the error it answers) has arrived, and the story stays in the order it happened.
import type { ForkscopeEvent } from '../../server-core/events';

/** Longest a first byte waits for the server's word (a server that says nothing of it: not ours, or gone). */
export const FIRST_BYTE_HOLD_MS = 1000;
/** Connections remembered at most (others' clients — a browser, curl — never end a story here). */
const REMEMBERED = 4096;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as K);
}

export class FirstByteHold {
  /** Client connection id → its local port (the server's accept names it as the peer). */
  private readonly portOf = new Map<number, number>();
  /** Peer port → the server's connection number. */
  private readonly connOf = new Map<number, number>();
  /** Server connections whose request or error has arrived. */
  private readonly heard = new Map<number, true>();
  /** Whether this run's server reports its accepts at all (forkscope serve does; an observed server does not). */
  private reporting = false;

  /** Takes note of an event as it arrives (before the reorder window). */
  arrived(e: ForkscopeEvent): void {
    // A new run (one timeline lasts the app's life): its server may report accepts or not.
    if (e.type === 'listening' || e.type === 'observing') return this.forgetAll();
    if (e.source === 'client') {
      if (e.type === 'client-connected') remember(this.portOf, e.id, e.localPort);
      return;
    }
    if (e.source !== 'server') return;
    if (e.type === 'accept') {
      this.reporting = true;
      // Guarded: events come from another process, and nothing read from a pipe may stop the timeline.
      if (typeof e.peer?.port === 'number') remember(this.connOf, e.peer.port, e.conn);
    } else if (e.type === 'request' || e.type === 'error' || e.type === 'response') {
      if (e.conn !== undefined) remember(this.heard, e.conn, true);
    }
  }

  private forgetAll(): void {
    this.portOf.clear();
    this.connOf.clear();
    this.heard.clear();
    this.reporting = false;
  }

  /** True while `e` is a first byte whose connection the server has not yet been heard on. */
  holds(e: ForkscopeEvent, now: number): boolean {
    if (e.type !== 'client-first-byte' || !this.reporting || now - e.t >= FIRST_BYTE_HOLD_MS) return false;
    const port = this.portOf.get(e.id);
    if (port === undefined) return false;
    const conn = this.connOf.get(port);
    return conn === undefined || !this.heard.has(conn);
  }

  /** Forgets a connection once its story has ended in the timeline (bounded memory over long runs). */
  released(e: ForkscopeEvent): void {
    if (e.source === 'client' && (e.type === 'client-done' || e.type === 'client-error' || e.type === 'client-eof')) {
      const port = this.portOf.get(e.id);
      this.portOf.delete(e.id);
      if (port === undefined) return;
      const conn = this.connOf.get(port);
      this.connOf.delete(port);
      if (conn !== undefined) this.heard.delete(conn);
    }
  }
}
