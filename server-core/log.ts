// The human log of `forkscope serve` (without --json), in the tutorial's style: the request as
// `< ` lines, the response head as `> ` lines, and one short timestamped line per other event.
import { STATUS_CODES } from 'node:http';
import type { Sink } from './emit';
import { eventJson } from './event-json';
import type { ForkscopeEvent } from './events';
import { S } from './strings';

const L = S.log;

function stamp(t: number): string {
  return `[${(t / 1000).toFixed(3).padStart(8)} s]`;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The lines one event becomes; [] for events the human log leaves out (transcripts). */
export function formatEvent(e: ForkscopeEvent): string[] {
  const at = (line: string): string[] => [`${stamp(e.t)} ${line}`];
  switch (e.type) {
    case 'listening':
      return [L.listening(urlOf(e.host, e.port), e.app, e.model, e.backlog, e.pid)];
    case 'request':
      return [`< ${e.method} ${e.path} ${e.version.startsWith('HTTP/') ? e.version : `HTTP/${e.version}`}`, ...e.headers.map(([k, v]) => `< ${k}: ${v}`), '<'];
    case 'response':
      return [`> HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}`.trimEnd(), ...e.headers.map(([k, v]) => `> ${k}: ${v}`), '>'];
    case 'transcript':
      return [];
    case 'accept':
      return at(L.accept(e.conn, e.peer.address, e.peer.port, e.fd));
    case 'close':
      return at(L.close(e.conn));
    case 'queue':
      return at(L.queue(e.length, e.backlog));
    case 'eintr':
      return at(L.eintr(e.call));
    case 'call':
      return at(L.call(e.call, e.args, e.ret, e.errno));
    case 'error':
      return at(L.error(e.conn, e.status, e.code, e.message));
    case 'notice':
      return at(L.notice(e.message));
    case 'accepting':
      return at(L.accepting(e.on, e.reason));
    case 'stopping':
      return at(L.stopping(e.reason));
    case 'stopped':
      return at(L.stopped(e.code));
    case 'fork':
      return at(L.fork(e.conn, e.child, e.spawnMs, e.role, e.slot));
    case 'worker-ready':
      return at(L.workerReady(e.pid, e.startMs));
    case 'sigchld':
      return at(L.sigchld(e.n));
    case 'exit':
      return at(L.exit(e.child, e.via));
    case 'reap':
      return at(L.reap(e.child, e.code, e.signal, e.zombieMs, e.by));
    case 'zombies':
      return at(L.zombies(e.count, e.pids));
    case 'signal-sent':
      return at(L.signalSent(e.child, e.signal, e.reason));
    case 'fds-released':
      return at(L.fdsReleased(e.count));
    case 'reap-policy':
      return at(L.reapPolicy(e.policy));
    default: {
      const { type, t: _t, pid: _pid, ...rest } = e;
      return at(`${type} ${JSON.stringify(rest)}`);
    }
  }
}

/** The human log: each event's lines written at once, so concurrent connections do not tear them. */
export function humanSink(write: (text: string) => void = (s) => process.stdout.write(s)): Sink {
  return (e) => {
    const lines = formatEvent(e);
    if (lines.length) write(`${lines.join('\n')}\n`);
  };
}

/** --json: exactly one event per line. */
export function jsonSink(write: (text: string) => void = (s) => process.stdout.write(s)): Sink {
  return (e) => write(`${eventJson(e)}\n`);
}
