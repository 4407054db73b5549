// Every connection to the server's port as the kernel lists it, with its TCP state and the
// processes holding it; one change record whenever either moves. A connection still in the
// accept queue has no file yet (inode 0): `waiting`, held by nobody. When it leaves the
// kernel's table (closed on both sides, TIME_WAIT over) it is reported once more as CLOSED.
import type { ConnectionEvent } from '../events';
import type { DiagSocket } from './inet-diag';

/** A `connection` event's fields, and the socket's inode (0 while it waits, and in TIME_WAIT). */
export type ConnectionChange = Pick<ConnectionEvent, 'conn' | 'local' | 'peer' | 'state' | 'holders' | 'waiting'> & { inode: number };

interface Known {
  change: ConnectionChange;
  seenAt: number;
}

const keyOf = (s: DiagSocket): string => `${s.remoteAddress}|${s.remotePort}|${s.localAddress}|${s.localPort}`;

export class Connections {
  private readonly known = new Map<string, Known>();
  private readonly byInode = new Map<number, number>();
  private next = 1;

  /** Takes one dump; returns what changed (new, moved, or gone as CLOSED). */
  update(sockets: readonly DiagSocket[], holdersOf: (inode: number) => number[], pass: number): ConnectionChange[] {
    const out: ConnectionChange[] = [];
    for (const s of sockets) {
      const key = keyOf(s);
      const holders = holdersOf(s.inode);
      const waiting = s.inode === 0 && (s.state === 'ESTABLISHED' || s.state === 'CLOSE_WAIT');
      const k = this.known.get(key);
      if (k && k.change.state === s.state && k.change.waiting === waiting && sameList(k.change.holders, holders)) {
        k.seenAt = pass;
        continue;
      }
      const change: ConnectionChange = {
        conn: k?.change.conn ?? this.next++,
        local: { address: s.localAddress, port: s.localPort },
        peer: { address: s.remoteAddress, port: s.remotePort },
        state: s.state,
        holders,
        waiting,
        inode: s.inode,
      };
      this.known.set(key, { change, seenAt: pass });
      if (k?.change.inode && k.change.inode !== s.inode) this.byInode.delete(k.change.inode);
      if (s.inode) this.byInode.set(s.inode, change.conn);
      out.push(change);
    }
    for (const [key, k] of this.known) {
      if (k.seenAt === pass) continue;
      this.known.delete(key);
      if (k.change.inode) this.byInode.delete(k.change.inode);
      out.push({ ...k.change, state: 'CLOSED', holders: [], waiting: false });
    }
    return out;
  }

  /** The connection id of a socket inode, if it is one of the server's connections. */
  connOf(inode: number): number | undefined {
    return this.byInode.get(inode);
  }

  /** Connections now in the table. */
  get size(): number {
    return this.known.size;
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
