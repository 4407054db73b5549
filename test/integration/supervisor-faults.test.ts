// Faults: a taken port, an app that fails to load, a node that does not exist — each reported
// in plain words (Summary.lastError, master-exit with the last stderr lines); restart on the
// same port at once; a command to a stopped server is refused.
import { createServer } from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { config, fireOpts, leftovers, makeSupervisor, ofType, shutdownAll } from './supervisor-helpers';

afterEach(shutdownAll);

it('a taken port: the start fails, and the summary says which port and what to do', async () => {
  const squatter = createServer();
  squatter.listen(0, '127.0.0.1');
  await once(squatter, 'listening');
  const port = (squatter.address() as { port: number }).port;
  try {
    const sup = makeSupervisor();
    const s = await sup.start(config({ port }));
    expect(s.running).toBe(false);
    expect(s.master).toBeNull();
    expect(s.lastError).toMatch(new RegExp(`${port}`));
    expect(s.lastError).toMatch(/in use/i);
    const exit = ofType(sup.history(), 'master-exit')[0];
    expect(exit.code).toBe(2);
    expect(exit.stderr.join('\n')).toMatch(/in use/i);
  } finally {
    squatter.close();
  }
});

it('an app that fails to load is reported with the server’s own explanation', async () => {
  const sup = makeSupervisor();
  const s = await sup.start(config({ app: './no/such/app.mjs' }));
  expect(s.running).toBe(false);
  expect(s.lastError).toMatch(/exit code 2/);
  expect(s.lastError).toMatch(/app\.mjs/);
});

it('a node binary that does not exist is reported, not thrown', async () => {
  const sup = makeSupervisor({ launch: { node: '/nonexistent/node' } });
  const s = await sup.start(config());
  expect(s.running).toBe(false);
  expect(s.lastError).toMatch(/Could not start the server with \/nonexistent\/node/);
});

it('restart works on the same port at once, and commands reach the new master', async () => {
  const sup = makeSupervisor();
  const first = await sup.start(config({ model: 'fork', reap: 'none' }));
  const port = first.master!.port;
  expect((await sup.fire(fireOpts(port))).statuses).toEqual({ '200': 1 });

  const second = await sup.restart(config({ model: 'fork', reap: 'none', port }));
  expect(second.running).toBe(true);
  expect(second.master!.port).toBe(port);
  expect(second.master!.pid).not.toBe(first.master!.pid);
  expect(second.counters.requests).toBe(0); // a new run, new counters
  expect(leftovers(first.master!.pid)).toEqual([]);
  expect((await sup.fire(fireOpts(port))).statuses).toEqual({ '200': 1 });

  sup.command({ cmd: 'set-reap', policy: 'loop' });
  await expect
    .poll(() => {
      sup.flush();
      return sup.summary().reap;
    }, { timeout: 10_000 })
    .toBe('loop');

  await sup.stop();
  expect(() => sup.command({ cmd: 'reap-now' })).toThrow(/not running/);
  expect(leftovers(second.master!.pid)).toEqual([]);
});
