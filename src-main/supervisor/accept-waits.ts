// How long each of the built-in client's connections waited in the server's accept queue: from
// the client's finished handshake (the kernel queued the connection) to the server's `accept`
// of the same connection, joined by the client's local port (the server's peer port). Both
// times are on the run's clock, so the difference is the queue itself — what the client alone
// cannot see (its summary can only say handshake → first byte).
import type { ForkscopeEvent } from '../../server-core/events';
import { spreadOf } from '../../server-core/client/stats';
import type { Spread } from '../../server-core/client/types';

/** Accepts kept while their client's `client-connected` may still be on its way. */
const EARLY_ACCEPTS = 10_000;

export class AcceptWaits {
  /** Local port → when its handshake finished, for connections not accepted yet. */
  private readonly connected = new Map<number, number>();
  /** Peer port → when the server accepted it, for accepts no connection of this fire claimed yet. */
  private readonly accepted = new Map<number, number>();
  private readonly waits: number[] = [];

  /** A client event of this fire. */
  client(e: ForkscopeEvent): void {
    if (e.type !== 'client-connected' || !(e.localPort > 0)) return;
    // The master's pipe can be read before the client's connect callback runs.
    const at = this.accepted.get(e.localPort);
    if (at === undefined) this.connected.set(e.localPort, e.t);
    else {
      this.accepted.delete(e.localPort);
      this.note(at - e.t);
    }
  }

  /** A server event (any: only accepts of this fire's connections count). */
  server(e: ForkscopeEvent): void {
    if (e.type !== 'accept') return;
    const since = this.connected.get(e.peer.port);
    if (since !== undefined) {
      this.connected.delete(e.peer.port);
      this.note(e.t - since);
      return;
    }
    if (this.accepted.size >= EARLY_ACCEPTS) this.accepted.delete(this.accepted.keys().next().value as number);
    this.accepted.set(e.peer.port, e.t);
  }

  private note(ms: number): void {
    // On loopback the accept can be stamped a hair before the client's callback ran.
    this.waits.push(Math.max(0, ms));
  }

  /** Connections seen connected and not yet seen accepted. */
  get pending(): number {
    return this.connected.size;
  }

  spread(): Spread | undefined {
    return spreadOf(this.waits);
  }
}
