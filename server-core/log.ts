// The human log of `forkscope serve` (without --json), in the tutorial's style: the request as
// `< ` lines, the response head as `> ` lines, and one short timestamped line per other event.
import { STATUS_CODES } from 'node:http';
import type { Sink } from './emit';
import { eventJson } from './event-json';
import type { ForkscopeEvent } from './events';
import { connLabel } from './conn-id';
import { cliT, type CliT } from './i18n/cli';

function stamp(t: number): string {
  return `[${(t / 1000).toFixed(3).padStart(8)} s]`;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The lines one event becomes; [] for events the human log leaves out (transcripts). `t` gives
 * the words, in the language the environment asks for unless told otherwise (i18n/cli.ts).
 */
export function formatEvent(e: ForkscopeEvent, t: CliT = cliT()): string[] {
  const at = (line: string): string[] => [`${stamp(e.t)} ${line}`];
  switch (e.type) {
    case 'listening':
      return [t('log.listening', { url: urlOf(e.host, e.port), app: e.app, model: e.model, backlog: e.backlog, pid: e.pid })];
    case 'request':
      return [`< ${e.method} ${e.path} ${e.version.startsWith('HTTP/') ? e.version : `HTTP/${e.version}`}`, ...e.headers.map(([k, v]) => `< ${k}: ${v}`), '<'];
    case 'response':
      return [`> HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}`.trimEnd(), ...e.headers.map(([k, v]) => `> ${k}: ${v}`), '>'];
    case 'transcript':
      return [];
    case 'accept': {
      const vars = { conn: connLabel(e.conn), address: e.peer.address, port: e.peer.port, fd: e.fd ?? '' };
      return at(e.fd !== undefined ? t('log.acceptFd', vars) : t('log.accept', vars));
    }
    case 'close':
      return at(t('log.close', { conn: connLabel(e.conn) }));
    case 'queue':
      return at(t('log.queue', { length: e.length, backlog: e.backlog }));
    case 'eintr':
      return at(t('log.eintr', { call: e.call }));
    case 'call':
      return at(t('log.call', { call: e.call, args: e.args, ret: e.ret, errno: e.errno ? ` ${e.errno}` : '' }));
    case 'error':
      return at(`${e.conn !== undefined ? `#${connLabel(e.conn)} ` : ''}${t('log.error')}${e.status ? ` → ${e.status}` : ''}${e.code ? ` [${e.code}]` : ''}: ${e.message}`);
    case 'notice':
      return at(t('log.notice', { message: e.message }));
    case 'accepting':
      return at(
        e.on
          ? e.reason ? t('log.acceptingOnWhy', { reason: e.reason }) : t('log.acceptingOn')
          : e.reason ? t('log.acceptingOffWhy', { reason: e.reason }) : t('log.acceptingOff'),
      );
    case 'stopping':
      return at(t('log.stopping', { reason: e.reason }));
    case 'stopped':
      return at(t('log.stopped', { code: e.code }));
    case 'fork': {
      const ms = e.spawnMs.toFixed(1);
      return at(
        e.role === 'pool'
          ? t('log.forkPool', { child: e.child, slot: e.slot ?? '?', ms })
          : t('log.forkConn', { conn: e.conn !== undefined ? connLabel(e.conn) : '?', child: e.child, ms }),
      );
    }
    case 'worker-ready':
      return at(t('log.workerReady', { pid: e.pid, ms: e.startMs.toFixed(1) }));
    case 'sigchld':
      return at(t('log.sigchld', { n: e.n }));
    case 'exit':
      return at(t('log.exit', { child: e.child, via: e.via }));
    case 'reap': {
      const how = e.signal ? t('log.reapSignal', { signal: e.signal }) : t('log.reapCode', { code: e.code ?? '?' });
      return at(
        e.zombieMs !== null
          ? t('log.reapZombie', { child: e.child, how, ms: e.zombieMs.toFixed(1), by: e.by })
          : t('log.reap', { child: e.child, how, by: e.by }),
      );
    }
    case 'zombies':
      return at(
        e.count
          ? t('log.zombiesPids', { count: e.count, pids: `${e.pids.slice(0, 10).join(', ')}${e.pids.length > 10 ? ', …' : ''}` })
          : t('log.zombies', { count: e.count }),
      );
    case 'signal-sent':
      return at(t('log.signalSent', { child: e.child, signal: e.signal, reason: e.reason }));
    case 'fds-released':
      return at(t('log.fdsReleased', { count: e.count }));
    case 'reap-policy':
      return at(t('log.reapPolicy', { policy: e.policy }));
    default: {
      const { type, t: _t, pid: _pid, ...rest } = e;
      return at(`${type} ${JSON.stringify(rest)}`);
    }
  }
}

/** The human log: each event's lines written at once, so concurrent connections do not tear them. */
export function humanSink(write: (text: string) => void = (s) => process.stdout.write(s), t: CliT = cliT()): Sink {
  return (e) => {
    const lines = formatEvent(e, t);
    if (lines.length) write(`${lines.join('\n')}\n`);
  };
}

/** --json: exactly one event per line. */
export function jsonSink(write: (text: string) => void = (s) => process.stdout.write(s)): Sink {
  return (e) => write(`${eventJson(e)}\n`);
}
