// The supervisor's observe mode ("Watch a server" in the app): a learner's forking server runs
// under the supervisor, on the same timeline and summary as a run of forkscope's own; its
// zombies and connections are the kernel's; stop leaves nothing; the levers that only
// forkscope's own server has are refused in one line.
import { afterEach, expect, it } from 'vitest';
import { zombieChildrenOf } from '../helpers/proc';
import { python } from '../helpers/python';
import { root } from '../helpers/server';
import { fireOpts, leftovers, makeSupervisor, ofType, shutdownAll, until } from './supervisor-helpers';

afterEach(shutdownAll);

it.skipIf(process.platform !== 'linux' || !python)('observe: a forking example without reaping — zombies as /proc has them, connections with holders, the same snapshot path; stop leaves nothing', async () => {
  const sup = makeSupervisor();
  const summary = await sup.observe({ command: `${python} examples/fork-no-reap.py 0`, cwd: root });
  expect(summary.running).toBe(true);
  expect(summary.observed?.command).toEqual([python, 'examples/fork-no-reap.py', '0']);
  expect(summary.observed?.cwd).toBe(root);
  const server = summary.master!;
  expect(summary.observed?.pid).toBe(server.pid);

  const fired = await sup.fire(fireOpts(server.port, { url: `http://127.0.0.1:${server.port}/`, mode: 'burst', clients: 5, conns: 1, timeoutS: 10 }));
  expect(fired.outcomes.ok).toBe(5);
  expect(await until(() => sup.summary().zombies.count === 5, 10_000)).toBe(true);
  expect(sup.summary().zombies.pids).toEqual(zombieChildrenOf(server.pid));
  expect(sup.summary().procs.find((p) => p.pid === server.pid)?.role).toBe('master');
  // A late subscriber's snapshot carries the same numbers.
  const { snapshot, unsubscribe } = sup.subscribe(() => {});
  unsubscribe();
  expect(snapshot.summary.zombies.count).toBe(5);
  expect(snapshot.summary.observed?.handler).toBe('default');
  // The details drawer's descriptor list works for a watched process: the listener is named.
  expect(sup.fds(server.pid).fds.some((f) => f.kind === 'listener')).toBe(true);
  // What the server printed is on the timeline, as the server's.
  expect(ofType(sup.history(), 'output').some((e) => e.line.includes('Serving HTTP'))).toBe(true);

  // Only forkscope's own server reaps on command; a watched one reaps by its own code.
  expect(() => sup.command({ cmd: 'reap-now' })).toThrow(/for forkscope's own server/);
  expect(() => sup.command({ cmd: 'kill', pid: process.pid, signal: 'SIGTERM' })).toThrow(/not part of the watched server/);

  await sup.stop();
  sup.flush();
  const end = sup.history();
  expect(ofType(end, 'leftovers').at(-1)?.zombies).toHaveLength(5);
  expect(ofType(end, 'master-exit').at(-1)?.expected).toBe(true);
  expect(sup.summary().running).toBe(false);
  expect(leftovers(server.pid)).toEqual([]);
});

it('observe: a command that does not exist, or a shell line, is refused in one line and nothing runs', async () => {
  const sup = makeSupervisor();
  await expect(sup.observe({ command: 'no-such-server-xyz --port 8888' })).rejects.toThrow(/cannot run 'no-such-server-xyz': no such command/);
  await expect(sup.observe({ command: 'python3 a.py | tee log' })).rejects.toThrow(/without a shell, so '\|' has no meaning/);
  expect(sup.summary().running).toBe(false);
});
