// How long each of the built-in client's connections waited in the server's accept queue: from
// the client's finished handshake (the kernel queued the connection) to the server's `accept`
// of the same connection, joined by the client's local port (the server's peer port). Both
// times are on the run's clock, so the difference is the queue itself — what the client alone
// cannot see (its summary can only say handshake → first byte).
import type { ForkscopeEvent } from '../../server-core/events';
import { spreadOf } from '../../server-core/client/stats';
import type { Spread } from '../../server-core/client/types';

export class AcceptWaits {
  /** Local port → when its handshake finished, for connections not accepted yet. */
  private readonly connected = new Map<number, number>();
  private readonly waits: number[] = [];

  /** A client event of this fire. */
  client(e: ForkscopeEvent): void {
    if (e.type === 'client-connected' && e.localPort > 0) this.connected.set(e.localPort, e.t);
  }

  /** A server event (any: only accepts of this fire's connections count). */
  server(e: ForkscopeEvent): void {
    if (e.type !== 'accept') return;
    const since = this.connected.get(e.peer.port);
    if (since === undefined) return;
    this.connected.delete(e.peer.port);
    // On loopback the accept can be stamped a hair before the client's callback ran.
    this.waits.push(Math.max(0, e.t - since));
  }

  /** Connections seen connected and not yet seen accepted. */
  get pending(): number {
    return this.connected.size;
  }

  spread(): Spread | undefined {
    return spreadOf(this.waits);
  }
}
