// The one line a Ctrl+C in `npm start` / `npm run web` prints: what was stopped, as the kernel last
// showed it (the summary's process tree), and whether anything survived the stop.
import type { ProcInfo } from '../../server-core/events';
import { strings as S } from './strings';
import type { Summary } from './types';

/** `before`: the summary just before the shutdown; `after`: just after it. */
export function stopLine(before: Summary, after: Summary): string {
  const ofRun = (p: ProcInfo) => p.role !== 'supervisor';
  const procs = before.procs.filter(ofRun);
  const master = procs.find((p) => p.role === 'master');
  const left = after.procs.filter(ofRun).map((p) => p.pid);
  if (!procs.length && !left.length) return S.stoppedNothing;

  const zombies = procs.filter((p) => p.state === 'Z' && p.role !== 'master').length;
  const workers = procs.filter((p) => p.role === 'worker' && p.state !== 'Z').length;
  const orphans = procs.filter((p) => p.role === 'orphan' && p.state !== 'Z').length;
  const parts = [
    workers ? S.count(workers, 'worker', 'workers') : '',
    zombies ? S.count(zombies, 'zombie', 'zombies') : '',
    orphans ? S.count(orphans, 'orphaned worker', 'orphaned workers') : '',
  ].filter(Boolean);

  const end = left.length ? S.stillAlive(left) : S.nothingLeft;
  if (!master) return S.stoppedLeftovers(parts) + end;
  const what = before.master ? S.stoppedServer(before.master.host, before.master.port, master.pid, before.config?.model ?? '?') : S.stoppedDeadServer(master.pid);
  return what + (parts.length ? S.stoppedChildren(parts) : '') + end;
}
