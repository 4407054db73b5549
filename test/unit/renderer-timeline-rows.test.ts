// The timeline's incremental filter gives exactly what filtering the whole ring gives, as the
// ring wraps and when it is cleared for a new snapshot.
import { describe, expect, it } from 'vitest';
import { Ring } from '../../src-renderer/store/ring';
import { FilteredRows } from '../../src-renderer/panels/timeline-rows';

const even = (x: { n: number }): boolean => x.n % 2 === 0;

describe('FilteredRows', () => {
  it('matches a full filter of the ring after every update, across wrap-around', () => {
    const ring = new Ring<{ n: number }>(50);
    const rows = new FilteredRows(ring, even);
    let n = 0;
    for (const step of [3, 0, 10, 47, 1, 120, 7]) {
      for (let i = 0; i < step; i++) ring.push({ n: n++ });
      expect(rows.rows(ring.end)).toEqual(ring.collect(even));
    }
  });

  it('stops at the end it is given (a paused view) and catches up later', () => {
    const ring = new Ring<{ n: number }>(100);
    const rows = new FilteredRows(ring, even);
    for (let i = 0; i < 20; i++) ring.push({ n: i });
    expect(rows.rows(10).map((x) => x.n)).toEqual([0, 2, 4, 6, 8]);
    for (let i = 20; i < 30; i++) ring.push({ n: i });
    expect(rows.rows(ring.end)).toEqual(ring.collect(even));
  });

  it('starts over when the ring was cleared and refilled', () => {
    const ring = new Ring<{ n: number }>(100);
    const rows = new FilteredRows(ring, even);
    for (let i = 0; i < 30; i++) ring.push({ n: i });
    rows.rows(ring.end);
    ring.clear();
    for (let i = 100; i < 140; i++) ring.push({ n: i }); // past where it was before
    expect(rows.rows(ring.end)).toEqual(ring.collect(even));
    ring.clear();
    for (let i = 200; i < 204; i++) ring.push({ n: i }); // short of where it was
    expect(rows.rows(ring.end).map((x) => x.n)).toEqual([200, 202]);
  });
});
