// The live summary as a pure reducer over the timeline: the supervisor applies each event as it
// enters the history, and any subscriber can apply the same batches to its snapshot's summary
// and hold the same numbers (a late subscriber's snapshot equals an early one's running total).
import type { ConnectionEvent, ForkscopeEvent, ProcEvent, ProcInfo } from '../../server-core/events';
import type { Counters, RunConfig, Summary } from './types';

export function emptyCounters(): Counters {
  return { accepted: 0, forked: 0, requests: 0, responses: {}, sigchld: 0, exited: 0, reaped: 0, errors: 0 };
}

export function emptySummary(): Summary {
  return {
    running: false,
    config: null,
    master: null,
    procs: [],
    queue: { length: 0, backlog: 0 },
    zombies: { count: 0, pids: [] },
    reap: null,
    counters: emptyCounters(),
    divergence: null,
    lastError: null,
    observed: null,
    connections: [],
  };
}

/** Connections kept in the summary at most (the oldest go first). */
const CONNECTIONS_CAP = 1000;

export function cloneSummary(s: Summary): Summary {
  return structuredClone(s);
}

/** Applies one timeline event to `s` in place. */
export function applyEvent(s: Summary, e: ForkscopeEvent): void {
  const c = s.counters;
  switch (e.type) {
    case 'master-start': {
      const config = (e.config as RunConfig | undefined) ?? null;
      s.running = true;
      s.config = config;
      s.master = null;
      s.queue = { length: 0, backlog: config?.backlog ?? 0 };
      s.reap = config?.reap ?? null;
      s.counters = emptyCounters();
      s.divergence = null;
      s.lastError = null;
      s.observed = null;
      s.connections = [];
      break;
    }
    case 'observing':
      s.running = true;
      s.config = null;
      s.master = { pid: e.pid, host: e.host, port: e.port, backlog: e.backlog };
      s.queue = { length: 0, backlog: e.backlog };
      s.reap = null;
      s.counters = emptyCounters();
      s.divergence = null;
      s.lastError = null;
      s.observed = { pid: e.pid, command: e.command ?? null, cwd: e.cwd ?? null, tracing: e.tracing, traceNote: null, handler: null, sent: { queued: 0, merged: 0, ignored: 0 } };
      s.connections = [];
      break;
    case 'sigchld-sent':
      if (s.observed) s.observed = { ...s.observed, sent: { ...s.observed.sent, [e.result]: s.observed.sent[e.result] + 1 } };
      break;
    case 'sigchld-handler':
      if (s.observed) s.observed = { ...s.observed, handler: e.action };
      break;
    case 'notice':
      if (e.code === 'NO_TRACE' && s.observed) s.observed = { ...s.observed, traceNote: e.message };
      break;
    case 'connection':
      applyConnection(s, e);
      break;
    case 'listening':
      s.master = { pid: e.pid, host: e.host, port: e.port, backlog: e.backlog };
      s.reap = e.reap;
      s.queue = { length: 0, backlog: e.backlog };
      break;
    case 'master-exit':
      s.running = false;
      s.master = null;
      s.queue = { length: 0, backlog: s.queue.backlog };
      s.divergence = null;
      s.lastError = e.message ?? null;
      // A watched server's connections end with it.
      s.connections = [];
      break;
    case 'queue':
      s.queue = { length: e.length, backlog: e.backlog };
      break;
    case 'reap-policy':
      s.reap = e.policy;
      break;
    case 'accept':
      c.accepted++;
      break;
    case 'fork':
      c.forked++;
      break;
    case 'request':
      c.requests++;
      break;
    case 'response':
      c.responses[String(e.status)] = (c.responses[String(e.status)] ?? 0) + 1;
      break;
    case 'sigchld':
      // n counts the master's SIGCHLD deliveries so far: it is the counter.
      c.sigchld = Math.max(c.sigchld, e.n);
      break;
    case 'exit':
      c.exited++;
      break;
    case 'reap':
      c.reaped++;
      break;
    case 'error':
      c.errors++;
      break;
    case 'divergence':
      s.divergence = e.resolved ? (s.divergence?.what === e.what ? null : s.divergence) : e;
      break;
    case 'proc':
      applyProcs(s, e);
      break;
    default:
      break;
  }
}

function applyConnection(s: Summary, e: ConnectionEvent): void {
  const i = s.connections.findIndex((c) => c.conn === e.conn);
  if (e.state === 'CLOSED') {
    if (i >= 0) s.connections.splice(i, 1);
    return;
  }
  const view = { conn: e.conn, local: e.local, peer: e.peer, state: e.state, holders: e.holders, waiting: e.waiting };
  if (i >= 0) s.connections[i] = view;
  else {
    s.connections.push(view);
    if (s.connections.length > CONNECTIONS_CAP) s.connections.shift();
  }
}

function applyProcs(s: Summary, e: ProcEvent): void {
  let procs: ProcInfo[];
  if (e.full !== false) {
    procs = e.procs.slice();
  } else {
    const byPid = new Map<number, ProcInfo>();
    for (const p of s.procs) byPid.set(p.pid, p);
    for (const pid of e.gone ?? []) byPid.delete(pid);
    for (const p of e.procs) byPid.set(p.pid, p);
    procs = [...byPid.values()];
  }
  procs.sort(byTreeOrder);
  s.procs = procs;
  const pids = procs.filter((p) => p.state === 'Z' && (p.role === 'worker' || p.role === 'orphan')).map((p) => p.pid);
  s.zombies = { count: e.zombies, pids };
}

const roleRank: Record<ProcInfo['role'], number> = { supervisor: 0, master: 1, worker: 2, orphan: 3 };

/** Supervisor, master, then workers and orphans by pid: a stable order for equal summaries. */
function byTreeOrder(a: ProcInfo, b: ProcInfo): number {
  return roleRank[a.role] - roleRank[b.role] || a.pid - b.pid;
}
