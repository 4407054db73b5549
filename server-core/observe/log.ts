// The human log of `forkscope observe`: the server's own output passed through with a prefix,
// and one timestamped line per thing seen. The per-pass process tree (`proc`) and the children's
// descriptor lists are left to --json: the zombie, exit, reap and connection lines say the same
// in fewer words (a connection line names every process holding it).
import { formatEvent } from '../log';
import type { ContractEvent, FdSocket } from '../events';
import { O } from './strings';

const L = O.log;

function stamp(t: number): string {
  return `[${(t / 1000).toFixed(3).padStart(8)} s]`;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The listening socket and the server's connections by fd; other sockets only counted. */
function fdsLine(proc: number, count: number, sockets: FdSocket[]): string {
  const named = sockets.filter((s) => s.listen || s.conn !== undefined);
  const words = named.map((s) => L.fdSocket(s.fd, s.listen ? L.listenSocket : L.connSocket(s.conn!)));
  return L.fds(proc, count, words, sockets.length - named.length);
}

/** The lines one event becomes in the human log; [] for those it leaves out. */
export function formatObserved(e: ContractEvent, server: number): string[] {
  const at = (line: string): string[] => [`${stamp(e.t)} ${line}`];
  switch (e.type) {
    case 'observing':
      return [L.observing(e.pid, urlOf(e.host, e.port), e.backlog, e.listeners, e.tracing)];
    case 'output':
      return [L.output(e.stream, e.line)];
    case 'connection':
      return at(L.connection(e.conn, `${e.peer.address}:${e.peer.port}`, e.state, e.holders, e.waiting));
    case 'fds':
      return e.proc === server ? at(fdsLine(e.proc, e.count, e.sockets)) : [];
    case 'sigchld-handler':
      return at(L.handler(e.proc, e.action));
    case 'sigchld-sent':
      return at(L.sigchldSent(e.child, e.result));
    case 'leftovers':
      return at(L.leftovers(e.zombies, e.orphans, e.ended));
    case 'proc':
      return [];
    case 'sigchld':
      return at(L.sigchldDelivered(e.n));
    case 'exit':
      // Traced exits are told by their sigchld-sent line.
      return e.via === 'sigchld' ? [] : at(L.exit(e.child));
    case 'reap':
      return at(L.reap(e.child, e.code, e.signal, e.zombieMs, e.via ?? 'proc'));
    case 'master-exit':
      return at(L.serverExit(e.message ?? O.serverExited(e.pid, e.code, e.signal), e.stderr));
    default:
      return formatEvent(e);
  }
}
