// The queue probe's coalescing: every change reported, never more than one report per 20 ms,
// and the report after a burst carries the latest value.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueProbe, type QueueSample } from '../../server-core/queue-probe';

describe('QueueProbe', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function probe(values: () => number, extra: Partial<ConstructorParameters<typeof QueueProbe>[0]> = {}) {
    const reports: { at: number; q: QueueSample }[] = [];
    const p = new QueueProbe({
      sample: () => ({ length: values(), backlog: 3 }),
      report: (q) => reports.push({ at: Date.now(), q }),
      now: () => Date.now(),
      ...extra,
    });
    return { p, reports };
  }

  it('reports the starting state once, then nothing while nothing changes', () => {
    const { p, reports } = probe(() => 0);
    p.start();
    vi.advanceTimersByTime(1000);
    p.stop();
    expect(reports.map((r) => r.q.length)).toEqual([0]);
    expect(reports[0].q.backlog).toBe(3);
  });

  it('coalesces fast changes to at most one report per 20 ms, ending on the latest value', () => {
    let len = 0;
    const { p, reports } = probe(() => len);
    p.start();
    // The queue changes every 2 ms for 40 ms (poke = a sample right after an accept).
    for (let i = 1; i <= 20; i++) {
      vi.advanceTimersByTime(2);
      len = i;
      p.poke();
    }
    len = 7;
    vi.advanceTimersByTime(200);
    p.stop();
    const gaps = reports.slice(1).map((r, i) => r.at - reports[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
    expect(reports.length).toBeLessThanOrEqual(1 + Math.ceil(40 / 20) + 2);
    expect(reports.at(-1)!.q.length).toBe(7);
  });

  it('samples on its own timer (so a busy model still sees the queue fill)', () => {
    let len = 0;
    const { p, reports } = probe(() => len);
    p.start();
    vi.advanceTimersByTime(100);
    len = 4; // connections arrive while nobody calls poke()
    vi.advanceTimersByTime(30);
    expect(reports.at(-1)!.q.length).toBe(4);
    len = 3;
    vi.advanceTimersByTime(30);
    expect(reports.at(-1)!.q.length).toBe(3);
    p.stop();
  });

  it('samples fast while connections wait and slowly when idle', () => {
    let samples = 0;
    let len = 2;
    const { p } = probe(() => (samples++, len));
    p.start();
    vi.advanceTimersByTime(100);
    const busy = samples;
    len = 0;
    vi.advanceTimersByTime(3000); // busy for 2 s after the last sign of traffic
    samples = 0;
    vi.advanceTimersByTime(1000);
    const idle = samples;
    p.stop();
    expect(busy).toBeGreaterThanOrEqual(15); // every 5 ms
    expect(idle).toBeLessThanOrEqual(45); // every 25 ms
  });

  it('stops and says so once when the kernel cannot be asked', () => {
    const onUnavailable = vi.fn();
    const { p, reports } = probe(
      () => {
        throw new Error('TCP_INFO is only read on Linux');
      },
      { onUnavailable },
    );
    p.start();
    vi.advanceTimersByTime(500);
    expect(onUnavailable).toHaveBeenCalledTimes(1);
    expect(reports).toEqual([]);
  });
});
