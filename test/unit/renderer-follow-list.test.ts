// Rows keep their place while older ones drop off the front of the bounded history.
import { describe, expect, it } from 'vitest';
import { advanceOffset } from '../../src-renderer/panels/FollowList';

const key = (x: number): number => x;
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('advanceOffset', () => {
  it('counts rows dropped from the front so the others keep their positions', () => {
    const anchor = { prev: [] as number[], offset: 0 };
    expect(advanceOffset(anchor, range(0, 10), key)).toBe(0);
    expect(advanceOffset(anchor, range(0, 12), key)).toBe(0);
    // 3 dropped, 4 added: row 5 was at index 5 and stays at offset + 2 = 5.
    expect(advanceOffset(anchor, range(3, 16), key)).toBe(3);
    expect(advanceOffset(anchor, range(10, 30), key)).toBe(10);
  });

  it('works on filtered lists (keys with gaps) and starts over on a discontinuity', () => {
    const anchor = { prev: [] as number[], offset: 0 };
    advanceOffset(anchor, [2, 5, 9, 14, 20], key);
    expect(advanceOffset(anchor, [9, 14, 20, 31], key)).toBe(2);
    // A new filter: the first key was never in the list.
    expect(advanceOffset(anchor, [10, 11], key)).toBe(0);
    // Keys going back (a new run, a fresh snapshot).
    advanceOffset(anchor, [50, 51], key);
    expect(advanceOffset(anchor, [1, 2], key)).toBe(0);
    expect(advanceOffset(anchor, [], key)).toBe(0);
  });
});
