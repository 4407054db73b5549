// Deadlines of every live connection (read, write, idle) on one timer. A timer per connection
// (setTimeout, then clearTimeout when it closes) costs more than the rest of a small
// connection's bookkeeping; here a connection only joins a set, and the one timer is armed
// for the earliest deadline — re-armed when it fires, not when connections come and go.

import { now } from './clock';

export interface Timed {
  /** now() (clock.ts: ms on the run's clock) by which onDeadline must run (Infinity: none). */
  deadline: number;
  onDeadline(): void;
}

const live = new Set<Timed>();
let timer: NodeJS.Timeout | null = null;
let armedFor = Infinity;

/** Watches `item` (again, after its deadline changed). */
export function watch(item: Timed): void {
  live.add(item);
  if (item.deadline < armedFor) arm(item.deadline);
}

export function unwatch(item: Timed): void {
  live.delete(item);
}

function arm(at: number): void {
  if (timer) clearTimeout(timer);
  armedFor = at;
  timer = setTimeout(fire, Math.max(1, Math.ceil(at - now())));
  // The connections themselves keep the process alive; a deadline alone must not.
  timer.unref();
}

function fire(): void {
  timer = null;
  armedFor = Infinity;
  const at = now();
  for (const item of [...live]) if (item.deadline <= at && live.has(item)) item.onDeadline();
  let next = Infinity;
  for (const item of live) if (item.deadline < next) next = item.deadline;
  if (next < armedFor) arm(next);
}
