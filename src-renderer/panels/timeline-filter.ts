// Which timeline entries to show: by type, pid and connection; and which belong to the
// selected connection (highlighted).
import type { ForkscopeEvent } from '../../server-core/events';
import { parseConnLabel } from '../../server-core/conn-id';
import type { Entry } from '../store/journal';
import type { Filters } from '../store/store';

/**
 * The pid an event is about besides its emitter (a child it forked, reaped, signalled…; for a
 * watched server, whose descriptors or SIGCHLD handler it lists).
 */
export function childOf(e: ForkscopeEvent): number | undefined {
  if ('child' in e && typeof e.child === 'number') return e.child;
  return 'proc' in e && typeof e.proc === 'number' ? e.proc : undefined;
}

export function connOf(e: ForkscopeEvent): number | undefined {
  return 'conn' in e && typeof e.conn === 'number' ? e.conn : undefined;
}

function parseId(s: string): number | null {
  const t = s.trim().replace(/^#/, '');
  if (t === '' || !/^\d+$/.test(t)) return null;
  return Number(t);
}

/**
 * The filter. Connection ids restart at #1 with every run, so a conn filter matches only the
 * events of `run` (the current one) — never an older run's connection of the same number.
 */
export function makeFilter(f: Filters, convConn?: (conv: number) => number | undefined, run?: number): (x: Entry) => boolean {
  const hidden = new Set<string>(f.hidden);
  const pid = parseId(f.pid);
  const conn = parseConnLabel(f.conn);
  return (x) => {
    if (hidden.has(x.e.type)) return false;
    if (pid != null && x.e.pid !== pid && childOf(x.e) !== pid) return false;
    if (conn != null) {
      if (run != null && x.run !== run) return false;
      const c = connOf(x.e) ?? (x.conv != null ? convConn?.(x.conv) : undefined);
      if (c !== conn) return false;
    }
    return true;
  };
}

export function isFiltering(f: Filters, defaults: Filters): boolean {
  return f.pid.trim() !== '' || f.conn.trim() !== '' || f.hidden.join() !== defaults.hidden.join();
}

/** How an entry relates to the selected connection: its own event, or one of its worker's. */
export function relatedTo(x: Entry, conv: number | null, worker: number | undefined): 'conn' | 'worker' | null {
  if (conv == null) return null;
  if (x.conv === conv) return 'conn';
  if (worker != null && (x.e.pid === worker || childOf(x.e) === worker)) return 'worker';
  return null;
}
