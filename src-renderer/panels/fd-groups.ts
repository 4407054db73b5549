// A process's descriptors grouped by what they are, and the arithmetic behind EMFILE: accept()
// and open() take the lowest free number below the soft limit, so the room left is the limit
// minus the numbers below it already taken (a descriptor above the limit, opened before the
// limit was lowered, takes none of that room).
import type { FdEntry, FdKind, FdTable } from '../../src-main/supervisor/types';

export const FD_KIND_ORDER: FdKind[] = ['listener', 'connection', 'pipe', 'event-loop', 'socket', 'file', 'other'];

export interface FdGroup {
  kind: FdKind;
  fds: FdEntry[];
}

export function groupFds(table: FdTable): FdGroup[] {
  return FD_KIND_ORDER.map((kind) => ({ kind, fds: table.fds.filter((f) => f.kind === kind) })).filter((g) => g.fds.length > 0);
}

/** Descriptors numbered at or above the limit (opened before it was lowered): they take no room below it. */
export function aboveLimit(table: FdTable): number[] {
  return table.limit == null ? [] : table.fds.filter((f) => f.fd >= table.limit!).map((f) => f.fd);
}

/** Free numbers below the limit: how many more descriptors before EMFILE; null without a limit. */
export function roomLeft(table: FdTable): number | null {
  if (table.limit == null) return null;
  const below = table.fds.filter((f) => f.fd < table.limit!).length;
  return Math.max(0, table.limit - below);
}
