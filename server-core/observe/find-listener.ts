// Which listening socket is the server's: every LISTEN socket the kernel has (inet_diag), kept
// when a process of the observed tree holds its inode. Whichever process opened it counts —
// a launcher script's child, a forked worker — so a server is found however it is started.
import type { Holders } from './holders';
import { AF_INET, AF_INET6, type DiagSocket, type InetDiag } from './inet-diag';
import { O } from './strings';
import { ObserveError } from './target';

export interface Listener {
  host: string;
  port: number;
  /** The backlog the kernel enforces (it queues backlog + 1). */
  backlog: number;
  /** The families it listens in (a server may listen on both 0.0.0.0 and ::). */
  families: number[];
  /** Inodes of its listening socket(s). */
  inodes: number[];
  /** Who holds it. */
  holders: number[];
}

/** The server's listener, null while it has none (yet); throws ObserveError when the choice is not ours to make. */
export function findListener(diag: InetDiag, holders: Holders, port?: number): Listener | null {
  const all = [...diag.listeners(AF_INET), ...diag.listeners(AF_INET6)];
  const ours = all.filter((s) => holders.holdersOf(s.inode).length > 0);
  const chosen = port === undefined ? ours : ours.filter((s) => s.localPort === port);
  if (!chosen.length) return null;
  const ports = [...new Set(chosen.map((s) => s.localPort))].sort((a, b) => a - b);
  if (ports.length > 1) throw new ObserveError(O.severalPorts(ports), 2);

  const mine = new Set(chosen.map((s) => s.inode));
  const others = all.filter((s) => s.localPort === ports[0] && !mine.has(s.inode) && chosen.some((c) => overlaps(c, s)));
  if (others.length) throw new ObserveError(O.sharedPort(ports[0], [...new Set(others.map((s) => s.uid))]), 1);

  const first = chosen.find((s) => s.family === AF_INET) ?? chosen[0];
  return {
    host: first.localAddress,
    port: ports[0],
    backlog: first.wqueue,
    families: [...new Set(chosen.map((s) => s.family))],
    inodes: [...mine],
    holders: [...new Set(chosen.flatMap((s) => holders.holdersOf(s.inode)))].sort((a, b) => a - b),
  };
}

/** Ports the tree listens on (for the message when --port names another). */
export function portsHeld(diag: InetDiag, holders: Holders): number[] {
  const all = [...diag.listeners(AF_INET), ...diag.listeners(AF_INET6)];
  return [...new Set(all.filter((s) => holders.holdersOf(s.inode).length > 0).map((s) => s.localPort))].sort((a, b) => a - b);
}

const WILDCARD = new Set(['0.0.0.0', '::']);

/** Two listeners on one port whose connections the kernel could hand to either. */
function overlaps(a: DiagSocket, b: DiagSocket): boolean {
  if (a.family !== b.family) return false; // a second family's listener is IPV6_V6ONLY, or the bind would have failed
  return a.localAddress === b.localAddress || WILDCARD.has(a.localAddress) || WILDCARD.has(b.localAddress);
}
