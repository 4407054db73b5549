// The words that need a little logic — one line per event for the timeline, advice for an
// error, durations and sizes — built from the catalogs in i18n/ (English and Simplified
// Chinese). Plain words are looked up where they are shown: `t('queue.empty')`.
import type { EventType, ForkscopeEvent } from '../server-core/events';
import { connLabel } from '../server-core/conn-id';
import { t } from './i18n';

export const signals = ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGSTOP', 'SIGCONT', 'SIGUSR1'] as const;

/** Every event type, in the order of the catalogs (the timeline's type filter). */
export const eventTypes: EventType[] = [
  'listening', 'accept', 'request', 'response', 'close', 'queue', 'eintr', 'call', 'error', 'transcript', 'notice', 'accepting', 'stopping', 'stopped',
  'fork', 'worker-ready', 'sigchld', 'exit', 'reap', 'zombies', 'signal-sent', 'fds-released', 'reap-policy',
  'client-connect', 'client-connected', 'client-sent', 'client-first-byte', 'client-done', 'client-eof', 'client-error', 'client-received',
  'proc', 'divergence', 'master-exit', 'reparented', 'master-start',
  'observing', 'output', 'connection', 'fds', 'sigchld-handler', 'sigchld-sent', 'leftovers',
];

/** A process state's name and meaning (`unknown` for a letter we do not name). */
export function stateWords(state: string): { label: string; explain: string } {
  const known = ['running', 'sleeping', 'zombie', 'stopped', 'dead', 'starting', 'reaped', 'unknown'] as const;
  const key = (known as readonly string[]).includes(state) ? (state as (typeof known)[number]) : 'unknown';
  return { label: t(`states.${key}.label`), explain: t(`states.${key}.explain`) };
}

/** A process's role in words; a watched server's are "your server" and "child", not master and worker. */
export function roleWord(role: string, observed = false): string {
  if (observed && (role === 'master' || role === 'worker')) return t(`observe.roles.${role}`);
  return role === 'supervisor' || role === 'master' || role === 'worker' || role === 'orphan' ? t(`tree.roles.${role}`) : role;
}

export function roleExplain(role: string, observed = false): string {
  if (observed && (role === 'master' || role === 'worker')) return t(`observe.rolesExplain.${role}`);
  return role === 'supervisor' || role === 'master' || role === 'worker' || role === 'orphan' ? t(`explain.${role}`) : '';
}

/** How a reaped child ended, in a few words: "killed by SIGKILL", "exited with code 0". */
function endedHow(code: number | undefined, signal: string | undefined): string {
  return signal ? t('reaped.killedBy', { signal }) : t('reaped.exitedWith', { code: code ?? '?' });
}

/** Short line on a reaped worker's chip. */
export function reapedShort(code: number | undefined, signal: string | undefined, zombieMs: number | null): string {
  const how = signal ?? t('reaped.exitShort', { code: code ?? '?' });
  return zombieMs != null ? `${how} · ${t('reaped.zombieShort', { time: fmtShortMs(zombieMs) })}` : how;
}

/** The same, in words (the chip's hover). */
export function reapedLong(code: number | undefined, signal: string | undefined, zombieMs: number | null): string {
  return `${endedHow(code, signal)}${zombieMs != null ? t('reaped.zombieFor', { time: fmtMs(zombieMs) }) : ''}`;
}

/** What the master and the kernel disagree about, in words. */
export function divergenceWhat(what: string): string {
  return what === 'children' || what === 'zombies' ? t(`banners.divergenceWhat.${what}`) : what;
}

/** The lost-signals line under SIGCHLD vs exits. */
export function lostSignals(lost: number, exited: number): string {
  if (lost > 0) return t('counters.lostSignals', { count: lost });
  return exited > 0 ? t('counters.oneEach') : t('counters.noExits');
}

/**
 * The same line for a watched server whose SIGCHLDs are traced: what became of the signals its
 * children sent — merged into one pending (not queued), or discarded (no handler).
 */
export function sentSignals(sent: { merged: number; ignored: number }, exited: number): string {
  const parts: string[] = [];
  if (sent.merged > 0) parts.push(t('observe.sentMerged', { count: sent.merged }));
  if (sent.ignored > 0) parts.push(t('observe.sentIgnored', { count: sent.ignored }));
  return parts.length ? parts.join(' · ') : lostSignals(0, exited);
}

/** What to do about an error message the supervisor or the master reported. */
export function adviceFor(message: string): string {
  const m = message.toLowerCase();
  if (m.includes('eaddrinuse') || m.includes('address already in use') || (m.includes('port') && m.includes('in use'))) return t('advice.portInUse');
  if (m.includes('eacces') && m.includes('port')) return t('advice.portPrivileged');
  if (m.includes('[error]') || m.includes('build failed')) return t('advice.build');
  if (m.includes('cannot find module') || m.includes('err_module_not_found') || m.includes('no such file')) return t('advice.notFound');
  if (m.includes('is not a function') || m.includes('does not provide an export') || m.includes('callable')) return t('advice.callable');
  if (m.includes('syntaxerror')) return t('advice.syntax');
  if (m.includes('emfile')) return t('advice.emfile');
  if (m.includes('eagain')) return t('advice.eagain');
  return t('advice.other');
}

// ── formatting ────────────────────────────────────────────────────────────────
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return t('units.minSec', { m: Math.floor(ms / 60_000), s: Math.round((ms % 60_000) / 1000) });
}

/** Two or three significant digits, for tight spots (a process chip). */
export function fmtShortMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function fmtAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return t('units.minSecShort', { m: Math.floor(ms / 60_000), s: Math.floor((ms % 60_000) / 1000) });
  return t('units.hourMin', { h: Math.floor(ms / 3_600_000), m: Math.floor((ms % 3_600_000) / 60_000) });
}

export function fmtT(t: number): string {
  return `${(t / 1000).toFixed(3)} s`;
}

export function fmtKb(kb: number): string {
  return kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb} kB`;
}

/** HTTP reason phrases: part of the protocol, so the same in every language. */
export const statusText: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function sizeOf(data: string, encoding: string): string {
  return encoding === 'base64' ? t('describe.bytes', { count: Math.floor((data.length * 3) / 4) }) : t('describe.chars', { count: data.length });
}

// ── one line per event, for the timeline ─────────────────────────────────────
export function describe(e: ForkscopeEvent): string {
  switch (e.type) {
    case 'listening':
      return t('describe.listening', { host: e.host, port: e.port, backlog: e.backlog, model: t(`models.${e.model}.label`), reap: e.reap, app: e.app });
    case 'accept': {
      const args = { conn: connLabel(e.conn), peer: `${e.peer.address}:${e.peer.port}`, fd: e.fd };
      return e.fd != null ? t('describe.acceptFd', args) : t('describe.accept', args);
    }
    case 'request':
      return t('describe.request', { conn: connLabel(e.conn), method: e.method, path: e.path, version: httpVersion(e.version) });
    case 'response':
      return t('describe.response', { conn: connLabel(e.conn), status: e.status, reason: statusText[e.status] ?? '', bytes: e.bytes });
    case 'close':
      return t('describe.close', { conn: connLabel(e.conn) });
    case 'queue':
      return t('describe.queue', { length: e.length, slots: e.backlog + 1 });
    case 'eintr':
      return t('describe.eintr', { call: e.call });
    case 'call':
      return t('describe.call', { call: e.call, args: e.args, ret: e.ret, errno: e.errno ? ` ${e.errno}` : '' });
    case 'error':
      return `${e.code ? `${e.code}: ` : ''}${e.message}${e.conn != null ? t('describe.errorConn', { conn: connLabel(e.conn) }) : ''}${e.status ? ` → ${e.status}` : ''}`;
    case 'transcript': {
      const args = { conn: connLabel(e.conn), size: sizeOf(e.data, e.encoding) };
      return (e.dir === 'in' ? t('describe.transcriptIn', args) : t('describe.transcriptOut', args)) + (e.truncated ? t('describe.truncated') : '');
    }
    case 'notice':
      return e.message;
    case 'accepting':
      return e.on ? t('describe.acceptingOn') : e.reason ? t('describe.acceptingOffWhy', { reason: e.reason }) : t('describe.acceptingOff');
    case 'stopping':
      return t('describe.stopping', { reason: e.reason });
    case 'stopped':
      return t('describe.stopped', { code: e.code });
    case 'fork': {
      const time = fmtMs(e.spawnMs);
      if (e.conn != null) return t('describe.forkConn', { child: e.child, conn: connLabel(e.conn), time });
      if (e.slot != null) return t('describe.forkSlot', { child: e.child, slot: e.slot, time });
      return t('describe.fork', { child: e.child, time });
    }
    case 'worker-ready':
      return t('describe.workerReady', { time: fmtMs(e.startMs) });
    case 'sigchld':
      return t('describe.sigchld', { n: e.n });
    case 'exit':
      return t('describe.exit', { child: e.child, via: t(`describe.via.${e.via}`) });
    case 'reap': {
      const how = e.signal ? t('reaped.killedBy', { signal: e.signal }) : t('describe.reapCode', { code: e.code ?? '?' });
      return e.zombieMs != null
        ? t('describe.reapZombie', { child: e.child, how, time: fmtMs(e.zombieMs), by: t(`describe.by.${e.by}`) })
        : t('describe.reap', { child: e.child, how, by: t(`describe.by.${e.by}`) });
    }
    case 'zombies':
      return t('describe.zombies', { count: e.count });
    case 'signal-sent':
      return t('describe.signalSent', { signal: e.signal, child: e.child, reason: t(`describe.reason.${e.reason}`) });
    case 'fds-released':
      return t('describe.fdsReleased', { count: e.count });
    case 'reap-policy':
      return t('describe.reapPolicy', { policy: e.policy });
    case 'client-connect':
      return t('describe.clientConnect', { id: e.id, host: e.host, port: e.port });
    case 'client-connected': {
      const args = { id: e.id, local: e.localPort, time: fmtMs(e.ms), retries: e.synRetries };
      return e.synRetries ? t('describe.clientConnectedRetries', args) : t('describe.clientConnected', args);
    }
    case 'client-sent':
      return t('describe.clientSent', { id: e.id, bytes: e.bytes });
    case 'client-first-byte':
      return t('describe.clientFirstByte', { id: e.id, time: fmtMs(e.ms) });
    case 'client-done':
      return t('describe.clientDone', { id: e.id, status: e.status, bytes: e.bytes, time: fmtMs(e.ms) });
    case 'client-eof':
      return t('describe.clientEof', { id: e.id, time: fmtMs(e.ms) });
    case 'client-error':
      return t('describe.clientError', { id: e.id, code: e.code, explanation: e.explanation });
    case 'client-received': {
      const size = e.encoding === 'base64' ? t('describe.base64Chars', { count: e.data.length }) : t('describe.chars', { count: e.data.length });
      return t('describe.clientReceived', { id: e.id, size }) + (e.truncated ? t('describe.truncated') : '');
    }
    case 'proc':
      return t('describe.proc', { procs: t('describe.procs', { count: e.procs.length }), zombies: t('describe.zombieCount', { count: e.zombies }) });
    case 'divergence':
      return t('describe.divergence', { what: divergenceWhat(e.what), master: e.master, kernel: e.kernel });
    case 'master-exit':
      return e.signal ? t('describe.masterExitSignal', { signal: e.signal }) : t('describe.masterExitCode', { code: e.code });
    case 'reparented':
      return t('describe.reparented', { child: e.child });
    case 'master-start':
      return t('describe.masterStart', { child: e.child });
    case 'observing':
      return t('describe.observing', { pid: e.pid, host: e.host, port: e.port, backlog: e.backlog });
    case 'output':
      return t('describe.output', { stream: e.stream, line: e.line });
    case 'connection': {
      const args = { conn: connLabel(e.conn), port: e.peer.port, state: e.state };
      if (e.state === 'CLOSED') return t('describe.connectionClosed', args);
      if (e.waiting) return t('describe.connectionWaiting', args);
      return t('describe.connection', { ...args, holders: e.holders.length ? e.holders.join(', ') : t('describe.nobody') });
    }
    case 'fds':
      return t('describe.fds', { proc: e.proc, count: e.count, sockets: e.sockets.length });
    case 'sigchld-handler':
      return e.action === 'handler' ? t('describe.handlerInstalled', { proc: e.proc }) : e.action === 'ignore' ? t('describe.handlerIgnore', { proc: e.proc }) : t('describe.handlerDefault', { proc: e.proc });
    case 'sigchld-sent':
      return e.result === 'merged' ? t('describe.sigchldMerged', { child: e.child }) : e.result === 'ignored' ? t('describe.sigchldIgnored', { child: e.child }) : t('describe.sigchldQueued', { child: e.child });
    case 'leftovers':
      return t('describe.leftovers', {
        zombies: t('describe.zombieCount', { count: e.zombies.length }),
        orphans: t('describe.orphanCount', { count: e.orphans.length }),
        ended: t('describe.procs', { count: e.ended.length }),
      });
    default: {
      const never: never = e;
      return String((never as { type: string }).type);
    }
  }
}

/** "1.1" or "HTTP/1.1" → "HTTP/1.1". */
export function httpVersion(v: string): string {
  return /^\d/.test(v) ? `HTTP/${v}` : v;
}
