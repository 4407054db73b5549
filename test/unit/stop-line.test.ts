// The one line Ctrl+C prints in `npm start` / `npm run web`: what was stopped, from the process
// tree the kernel last showed (the summary), and what, if anything, survived.
import { describe, expect, it } from 'vitest';
import type { ProcInfo } from '../../server-core/events';
import { defaultRunConfig } from '../../src-main/supervisor/argv';
import { stopLine } from '../../src-main/supervisor/stop-line';
import { emptySummary } from '../../src-main/supervisor/summary';
import type { Summary } from '../../src-main/supervisor/types';

const proc = (pid: number, role: ProcInfo['role'], state = 'S'): ProcInfo => ({ pid, ppid: 1, state, start: 0, cmd: 'node', fds: null, rssKb: 0, role });

function running(procs: ProcInfo[]): Summary {
  return {
    ...emptySummary(),
    running: true,
    config: { ...defaultRunConfig(), model: 'fork' },
    master: { pid: 200, host: '127.0.0.1', port: 41234, backlog: 5 },
    procs: [proc(100, 'supervisor', 'R'), ...procs],
  };
}
const afterStop: Summary = { ...emptySummary(), procs: [proc(100, 'supervisor', 'R')] };

describe('stopLine', () => {
  it('names the server, its workers and zombies, and says nothing is left', () => {
    const before = running([proc(200, 'master'), proc(201, 'worker'), proc(202, 'worker', 'Z'), proc(203, 'worker', 'Z')]);
    expect(stopLine(before, afterStop)).toBe('stopped the server on 127.0.0.1:41234 (master 200, fork model) and its 1 worker, 2 zombies — nothing of it is left running');
  });

  it('a server alone', () => {
    expect(stopLine(running([proc(200, 'master')]), afterStop)).toBe('stopped the server on 127.0.0.1:41234 (master 200, fork model) — nothing of it is left running');
  });

  it('orphans of a master that had died', () => {
    const before = { ...running([proc(301, 'orphan'), proc(302, 'orphan', 'Z')]), master: null, running: false };
    expect(stopLine(before, afterStop)).toBe('stopped 1 zombie, 1 orphaned worker left by a server that had already died — nothing of it is left running');
  });

  it('nothing running', () => {
    expect(stopLine(emptySummary(), emptySummary())).toBe('stopped; no server was running');
  });

  it('names what survived the stop', () => {
    const before = running([proc(200, 'master'), proc(201, 'worker')]);
    const after = { ...afterStop, procs: [...afterStop.procs, proc(201, 'orphan')] };
    expect(stopLine(before, after)).toMatch(/— still alive: 201 \(kill -9 them\)$/);
  });
});
