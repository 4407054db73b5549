// The supervisor's side of what a learner sees (issue: ghosts, half-true labels and controls
// that do nothing): exact accept-queue waits for the app's fire results, against real servers.
import { afterEach, expect, it } from 'vitest';
import { config, fireOpts, makeSupervisor, shutdownAll } from './supervisor-helpers';

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
