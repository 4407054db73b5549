// Lays the process nodes out as a tree (supervisor → master → workers) with d3-hierarchy:
// a process hangs under its parent pid when that parent is shown, else under the root.
import { stratify, type HierarchyNode } from 'd3-hierarchy';
import type { ProcNode } from '../store/procs';

export const ROOT_PID = 0;

const ROLE_ORDER: Record<string, number> = { supervisor: 0, master: 1, orphan: 2, worker: 3 };
const STATE_ORDER: Record<string, number> = { zombie: 0, running: 1, sleeping: 1, stopped: 1, starting: 2, dead: 3, reaped: 4, unknown: 3 };

export function virtualRoot(): ProcNode {
  return { pid: ROOT_PID, ppid: -1, role: 'supervisor', state: 'unknown', letter: '', start: 0, cmd: '', fds: null, rssKb: 0 };
}

/**
 * The tree. When /proc shows a supervisor it is the root; otherwise a stand-in root holds
 * whatever has no shown parent. Children are ordered: masters first, then zombies, live,
 * starting, reaped — each group by pid.
 */
export function buildTree(nodes: ProcNode[]): HierarchyNode<ProcNode> {
  const unique = new Map<number, ProcNode>();
  for (const n of nodes) if (!unique.has(n.pid)) unique.set(n.pid, n);
  const shown = new Set(unique.keys());
  const all = [virtualRoot(), ...unique.values()];
  const root = stratify<ProcNode>()
    .id((n) => String(n.pid))
    .parentId((n) => {
      if (n.pid === ROOT_PID) return null;
      if (n.ppid !== n.pid && shown.has(n.ppid) && !createsCycle(n, unique)) return String(n.ppid);
      return String(ROOT_PID);
    })(all);
  root.sort(
    (a, b) =>
      (ROLE_ORDER[a.data.role] ?? 9) - (ROLE_ORDER[b.data.role] ?? 9) ||
      (STATE_ORDER[a.data.state] ?? 9) - (STATE_ORDER[b.data.state] ?? 9) ||
      a.data.pid - b.data.pid,
  );
  return root;
}

function createsCycle(n: ProcNode, byPid: Map<number, ProcNode>): boolean {
  const seen = new Set<number>([n.pid]);
  let p = byPid.get(n.ppid);
  while (p) {
    if (seen.has(p.pid)) return true;
    seen.add(p.pid);
    p = byPid.get(p.ppid);
  }
  return false;
}

/** The node that stands for the supervisor: /proc's, or the stand-in root. */
export function supervisorOf(root: HierarchyNode<ProcNode>): HierarchyNode<ProcNode> {
  const kids = root.children ?? [];
  if (kids.length === 1 && kids[0].data.role === 'supervisor') return kids[0];
  return root;
}
