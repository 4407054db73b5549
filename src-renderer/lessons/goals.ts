// Small readings of a World that lessons build their goals from. Each reads only what the
// kernel or the processes reported: /proc (procs, zombies), TCP_INFO (queue), the events
// and the client's own results.
import type { EventOf, EventType, ForkscopeEvent } from '../../server-core/events';
import type { World } from './types';

/** The events of one type since the window began. */
export function eventsOf<T extends EventType>(w: World, type: T): EventOf<T>[] {
  return w.events.filter((e): e is EventOf<T> => e.type === type);
}

export function count(w: World, type: EventType): number {
  let n = 0;
  for (const e of w.events) if (e.type === type) n++;
  return n;
}

const CHILD_EVENTS = new Set<EventType>(['fork', 'exit', 'sigchld', 'reap']);

/**
 * Every worker started has exited, and no worker has started, exited, signalled or been reaped
 * for `ms`: what the kernel shows now is where the run stays, not a child caught between its
 * exit and its parent's wait().
 */
export function childrenSettled(w: World, ms: number): boolean {
  let last = -Infinity;
  let forks = 0;
  let exits = 0;
  for (const e of w.events) {
    if (!CHILD_EVENTS.has(e.type)) continue;
    last = e.t;
    if (e.type === 'fork') forks++;
    else if (e.type === 'exit') exits++;
  }
  return exits >= forks && w.now - last >= ms;
}

/** Workers alive now as /proc shows them (not zombies, not reaped). */
export function liveWorkers(w: World): number {
  return w.procs.filter((p) => p.role === 'worker' && (p.state === 'running' || p.state === 'sleeping' || p.state === 'stopped')).length;
}

/** The model of the run that is listening now. */
export function model(w: World): string | null {
  return w.run.listening?.model ?? null;
}

export function reapPolicy(w: World): string | null {
  return w.run.reap ?? null;
}

/**
 * A connection served start to end by one process, in order: accept, request, response, close
 * (the tutorial's accept → recv → app → sendall → close). Returns its conn id, or null.
 */
export function servedInOrder(w: World): number | null {
  const seen = new Map<number, { pid: number; step: number }>();
  const order: ForkscopeEvent['type'][] = ['accept', 'request', 'response', 'close'];
  for (const e of w.events) {
    const i = order.indexOf(e.type);
    if (i < 0 || !('conn' in e) || typeof e.conn !== 'number') continue;
    const s = seen.get(e.conn);
    if (i === 0) seen.set(e.conn, { pid: e.pid, step: 1 });
    else if (s && s.step === i && s.pid === e.pid) {
      s.step++;
      if (s.step === order.length) return e.conn;
    }
  }
  return null;
}

/** Client connections that finished with a response, and their statuses. */
export function clientDone(w: World): number[] {
  return eventsOf(w, 'client-done').map((e) => e.status);
}

/** Clients whose handshake needed SYNs sent again (the kernel's count, TCP_INFO on the client's socket). */
export function synRetried(w: World): number {
  return eventsOf(w, 'client-connected').filter((e) => (e.synRetries ?? 0) > 0).length;
}

/** Clients still connecting after more than a second: their first SYN was dropped. */
export function stuckConnecting(w: World): number {
  const connected = new Set(eventsOf(w, 'client-connected').map((e) => `${e.pid}:${e.id}`));
  return eventsOf(w, 'client-connect').filter((e) => !connected.has(`${e.pid}:${e.id}`) && w.now - e.t > 1100).length;
}

/** Zombies now, and whether every one of them is a child of the master (as /proc says). */
export function zombiePids(w: World): readonly number[] {
  return w.zombies.pids;
}
