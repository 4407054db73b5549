// The accept gate: accepting pauses for named reasons (max-zombies, EMFILE) and resumes
// only when none is left, saying so each time.
import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../server-core/events';
import { AcceptGate } from '../../server-core/accept-gate';

describe('AcceptGate', () => {
  it('closes once per pause, reopens when the last reason clears, and wakes waiters', async () => {
    const said: EventInput[] = [];
    let changes = 0;
    const gate = new AcceptGate((e) => said.push(e), () => changes++);
    expect(gate.open).toBe(true);
    await gate.wait(); // open: resolves at once

    gate.close('max-zombies', '500 zombies');
    gate.close('max-zombies', 'again'); // no second event for the same reason
    gate.close('EMFILE', 'no fds');
    expect(gate.open).toBe(false);
    expect(said.filter((e) => e.type === 'accepting')).toEqual([{ type: 'accepting', on: false, reason: 'max-zombies' }]);
    expect(said.find((e) => e.type === 'notice')).toMatchObject({ code: 'MAX_ZOMBIES', message: '500 zombies' });

    let woke = false;
    const waiting = gate.wait().then(() => (woke = true));
    gate.reopen('max-zombies', 'below the cap');
    await Promise.resolve();
    expect(woke).toBe(false); // EMFILE still holds it shut
    expect(gate.has('EMFILE')).toBe(true);
    gate.reopen('EMFILE');
    await waiting;
    expect(woke).toBe(true);
    expect(gate.open).toBe(true);
    expect(said.filter((e) => e.type === 'accepting').at(-1)).toEqual({ type: 'accepting', on: true, reason: 'EMFILE' });
    expect(changes).toBe(2);
    gate.reopen('EMFILE'); // not closed: nothing happens
    expect(changes).toBe(2);
  });

  it('release() frees waiters at shutdown without opening', async () => {
    const gate = new AcceptGate(() => {});
    gate.close('EMFILE', 'x');
    const waiting = gate.wait();
    gate.release();
    await waiting;
    expect(gate.open).toBe(false);
  });
});
