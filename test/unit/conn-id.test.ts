// Connection ids: the master's 1, 2, 3…, and prefork workers' blocks, shown as serial.n.
import { describe, expect, it } from 'vitest';
import { connLabel, parseConnLabel, poolConnId, POOL_CONN_BLOCK } from '../../server-core/conn-id';
import type { ForkscopeEvent } from '../../server-core/events';
import { makeFilter } from '../../src-renderer/panels/timeline-filter';
import type { Entry } from '../../src-renderer/store/journal';

describe('connection ids', () => {
  it('a master id reads as itself; a pool worker id as serial.n', () => {
    expect(connLabel(17)).toBe('17');
    expect(poolConnId(3, 17)).toBe(3 * POOL_CONN_BLOCK + 17);
    expect(connLabel(poolConnId(3, 17))).toBe('3.17');
  });

  it('a worker can take a million connections and more without running into the next one', () => {
    const last = poolConnId(1, 2_000_000);
    expect(last).toBeLessThan(poolConnId(2, 1));
    expect(connLabel(last)).toBe('1.2000000');
    expect(Number.isSafeInteger(poolConnId(9_000_000, POOL_CONN_BLOCK - 1))).toBe(true);
  });

  it('what a person types back (with or without #) is the same id; anything else is not one', () => {
    for (const id of [1, 42, poolConnId(2, 5), poolConnId(12, 3_000_000)]) {
      expect(parseConnLabel(connLabel(id))).toBe(id);
      expect(parseConnLabel(`#${connLabel(id)}`)).toBe(id);
    }
    expect(parseConnLabel('')).toBeNull();
    expect(parseConnLabel('3.')).toBeNull();
    expect(parseConnLabel('x')).toBeNull();
  });

  it('the timeline filter takes the label', () => {
    const e: ForkscopeEvent = { type: 'close', conn: poolConnId(2, 5), t: 1, pid: 100 };
    const entry: Entry = { e, seq: 1, run: 0 };
    const keep = makeFilter({ hidden: [], pid: '', conn: '2.5' }, undefined, 0);
    const drop = makeFilter({ hidden: [], pid: '', conn: '2.6' }, undefined, 0);
    expect(keep(entry)).toBe(true);
    expect(drop(entry)).toBe(false);
  });
});
