// The supervisor's side of what a learner sees (issue: ghosts, half-true labels and controls
// that do nothing), against real servers: exact accept-queue waits for the app's fire results,
// a process's descriptors as the kernel says, and signalling the master itself.
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { tcpSocketsOnPort } from '../../server-core/observe/inet-diag';
import { readStat } from '../helpers/proc';
import { config, fireOpts, makeSupervisor, ofType, shutdownAll, until } from './supervisor-helpers';

afterEach(shutdownAll);

it("a fire's result says how long its connections waited in the accept queue, from the server's own accepts", async () => {
  const sup = makeSupervisor();
  // Iterative and slow: one answer at a time, each taking 600 ms, so the second connection waits
  // about 600 ms in the kernel's queue and the third about 1200 ms.
  const s = await sup.start(config({ model: 'iterative', app: 'slow', backlog: 5 }));
  expect(s.running).toBe(true);
  const r = await sup.fire(fireOpts(s.master!.port, { url: `http://127.0.0.1:${s.master!.port}/hello?ms=600`, mode: 'burst', clients: 3 }));
  expect(r.classes).toEqual({ '2xx': 3 });
  expect(r.queueMs?.n).toBe(3);
  expect(r.queueMs!.max).toBeGreaterThanOrEqual(1100);
  expect(r.queueMs!.p50).toBeGreaterThanOrEqual(500);
  // The queue is part of the wait before the first byte, never more than it.
  expect(r.queueMs!.max).toBeLessThanOrEqual(r.waitMs!.max);
});

it("a process's descriptors, classified as the kernel says: the master's listener, kept connections, pipes, event loop; the limit", async () => {
  const sup = makeSupervisor();
  const s = await sup.start(config({ model: 'fork', reap: 'loop', parentKeepsConn: true, nofile: 64 }));
  const { pid, port } = s.master!;
  // Three answered connections whose descriptors the master keeps (the lesson's fd leak).
  await sup.fire(fireOpts(port, { mode: 'burst', clients: 3, eofGraceMs: 100 }));
  const table = sup.fds(pid);
  expect(table).toMatchObject({ pid, zombie: false, limit: 64 });
  // Every descriptor /proc lists, each once.
  expect(table.fds.map((f) => f.fd)).toEqual(readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b));
  const kinds = (k: string) => table.fds.filter((f) => f.kind === k);
  expect(kinds('listener').map((f) => f.detail)).toEqual([`LISTEN :${port}`]);
  expect(kinds('connection')).toHaveLength(3);
  for (const c of kinds('connection')) expect(c.detail).toMatch(new RegExp(`^(CLOSE_WAIT|ESTABLISHED) :${port} ⇄ :\\d+$`));
  expect(kinds('event-loop').some((f) => f.detail === 'eventpoll')).toBe(true);
  expect(table.fds.slice(0, 3).map((f) => f.std)).toEqual(['stdin', 'stdout', 'stderr']);
  // A process of someone else's is not shown.
  expect(() => sup.fds(1)).toThrow(/pid 1 is not a process of this server run/);
});

it('kill the master only: the orphan, adopted by the supervisor, still holds the listening socket and the kernel still queues connections; refusals say why', async () => {
  const sup = makeSupervisor();
  const s = await sup.start(config({ model: 'fork', reap: 'loop', app: 'slow', childKeepsListener: true }));
  const { pid, port } = s.master!;
  // What the master would refuse is refused at once, with the reason.
  expect(() => sup.command({ cmd: 'kill', pid: 1, signal: 'SIGTERM' })).toThrow(/pid 1 is not a process of this server run/);
  expect(() => sup.command({ cmd: 'kill', pid: process.pid, signal: 'SIGKILL' })).toThrow(/is the supervisor/);
  expect(() => sup.command({ cmd: 'release-fds' })).toThrow(/keeps no connection descriptors/);
  expect(() => sup.command({ cmd: 'kill', pid, signal: 'SIGNOPE' })).toThrow(/SIGNOPE is not a signal/);

  const slow = sup.fire(fireOpts(port, { url: `http://127.0.0.1:${port}/?ms=8000`, timeoutS: 30 }));
  expect(await until(() => sup.summary().procs.some((p) => p.role === 'worker' && p.state !== 'Z'), 15_000)).toBe(true);
  const worker = sup.summary().procs.find((p) => p.role === 'worker')!.pid;

  sup.command({ cmd: 'kill', pid, signal: 'SIGKILL' });
  expect(await until(() => sup.summary().procs.some((p) => p.pid === worker && p.role === 'orphan'), 10_000)).toBe(true);
  expect(await until(() => ofType(sup.history(), 'master-exit').length === 1, 5000)).toBe(true);
  const history = sup.history();
  expect(ofType(history, 'notice').some((n) => n.code === 'MASTER_SIGNALLED')).toBe(true);
  // Asked for: no failure banner, no lastError.
  expect(ofType(history, 'master-exit')[0]).toMatchObject({ signal: 'SIGKILL', expected: true });
  expect(sup.summary().lastError).toBeNull();
  // The kernel's word: the orphan's parent is the supervisor, and it still holds the listener.
  expect(readStat(worker)?.ppid).toBe(process.pid);
  expect(sup.summary().procs.find((p) => p.pid === worker)).toMatchObject({ role: 'orphan', ppid: process.pid });
  expect(sup.fds(worker).fds.filter((f) => f.kind === 'listener').map((f) => f.detail)).toEqual([`LISTEN :${port}`]);
  // So the kernel still completes handshakes on the port, and queues them: nobody accepts.
  const c = connect(port, '127.0.0.1');
  await once(c, 'connect');
  expect(await until(() => tcpSocketsOnPort(port)?.find((x) => x.state === 'LISTEN')?.recvQ === 1, 5000)).toBe(true);
  c.destroy();
  // Signals for the orphan go from the supervisor, its parent now.
  sup.command({ cmd: 'kill', pid: worker, signal: 'SIGKILL' });
  expect(await until(() => ofType(sup.history(), 'reap').some((r) => r.child === worker && r.by === 'supervisor'), 10_000)).toBe(true);
  expect(readStat(worker)).toBeNull();
  await slow;
});
