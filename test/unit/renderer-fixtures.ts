// Event builders for the renderer's unit tests: the shapes the supervisor really sends
// (server-core/events.ts), with the run clock advanced by hand.
import type { EventOf, EventType, ForkscopeEvent, ProcInfo } from '../../server-core/events';
import { defaultRunConfig } from '../../src-main/supervisor/argv';
import type { Batch, RunConfig, Snapshot } from '../../src-main/supervisor/types';
import { emptySummary } from '../../src-main/supervisor/summary';

export const SUPERVISOR = 100;
export const MASTER = 200;

type Fields<T extends EventType> = Omit<EventOf<T>, 'type' | 't' | 'pid'> & { t?: number; pid?: number };

export class Clock {
  t = 0;
  ev<T extends EventType>(type: T, fields: Fields<T>): EventOf<T> {
    const { t, pid, ...rest } = fields as Fields<T> & { t?: number; pid?: number };
    this.t = t ?? this.t + 1;
    return { type, t: this.t, pid: pid ?? MASTER, ...rest } as unknown as EventOf<T>;
  }
}

export function proc(pid: number, role: ProcInfo['role'], state = 'S', ppid = role === 'master' ? SUPERVISOR : MASTER): ProcInfo {
  return { pid, ppid, state, start: 0, cmd: `${role} ${pid}`, fds: 5, rssKb: 9000, role };
}

export const config: RunConfig = { ...defaultRunConfig(), reap: 'none', port: 0 };

/** A run start: master-start, listening and a full proc sample. */
export function runStart(c: Clock, port = 40000): ForkscopeEvent[] {
  return [
    c.ev('master-start', { pid: SUPERVISOR, child: MASTER, argv: ['serve'], config: { ...config } }),
    c.ev('listening', { host: '127.0.0.1', port, backlog: 5, model: 'fork', reap: 'none', app: 'hello', origin: '0' }),
    c.ev('proc', { pid: SUPERVISOR, procs: [proc(SUPERVISOR, 'supervisor', 'S', 1), proc(MASTER, 'master')], zombies: 0 }),
  ];
}

/** One fork-model request from the built-in client on `localPort`, served by `worker`. */
export function oneRequest(c: Clock, id: number, conn: number, worker: number, localPort: number): ForkscopeEvent[] {
  return [
    c.ev('client-connect', { pid: SUPERVISOR, id, host: '127.0.0.1', port: 40000 }),
    c.ev('client-connected', { pid: SUPERVISOR, id, localPort, ms: 0.3 }),
    c.ev('accept', { conn, peer: { address: '127.0.0.1', port: localPort }, fd: 12 }),
    c.ev('fork', { conn, child: worker, spawnMs: 1.5, role: 'connection' }),
    c.ev('worker-ready', { pid: worker, startMs: 35 }),
    c.ev('client-sent', { pid: SUPERVISOR, id, bytes: 40, data: 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n', encoding: 'utf8' }),
    c.ev('transcript', { pid: worker, conn, dir: 'in', data: 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n', encoding: 'utf8', truncated: false }),
    c.ev('request', { pid: worker, conn, method: 'GET', path: '/hello', version: '1.1', headers: [['Host', 'x']] }),
    c.ev('response', { pid: worker, conn, status: 200, headers: [['Content-Type', 'text/plain']], bytes: 44 }),
    c.ev('client-first-byte', { pid: SUPERVISOR, id, ms: 40 }),
    c.ev('client-received', { pid: SUPERVISOR, id, data: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nHello world from a simple WSGI application!\n', encoding: 'utf8', truncated: false }),
    c.ev('close', { pid: worker, conn }),
    c.ev('client-done', { pid: SUPERVISOR, id, status: 200, bytes: 44, ms: 45 }),
    c.ev('client-eof', { pid: SUPERVISOR, id, ms: 46 }),
  ];
}

export function batch(seq: number, events: ForkscopeEvent[]): Batch {
  return { seq, events };
}

export function emptySnapshot(): Snapshot {
  return { summary: emptySummary(), events: [], nextSeq: 0 };
}
