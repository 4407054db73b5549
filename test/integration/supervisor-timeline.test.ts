// Acceptance 3, 4 and 5: one request's story in order on one clock; a 1,000-request burst
// delivered in at most 60 batches a second with a bounded history and counters equal to the
// events; a late subscriber's snapshot equal to an early subscriber's running summary.
import { afterEach, expect, it } from 'vitest';
import type { ForkscopeEvent } from '../../server-core/events';
import { applyEvent, cloneSummary } from '../../src-main/supervisor/summary';
import type { Summary } from '../../src-main/supervisor/types';
import { config, fireOpts, makeSupervisor, ofType, shutdownAll, sleep, until } from './supervisor-helpers';

afterEach(shutdownAll);

it('one request in fork mode reads accept → fork → request → response → exit → reap, client events in order', async () => {
  const sup = makeSupervisor();
  const { master } = await sup.start(config({ model: 'fork', reap: 'loop' }));
  const result = await sup.fire(fireOpts(master!.port, { mode: 'single' }));
  expect(result.statuses).toEqual({ '200': 1 });
  expect(await until(() => ofType(sup.history(), 'reap').length === 1, 10_000)).toBe(true);
  // The worker's own events come through its pipe, which the master may read after the reap.
  const storyTypes = ['accept', 'fork', 'request', 'response', 'exit', 'reap'];
  expect(await until(() => storyTypes.every((type) => sup.history().some((e) => e.type === type)), 10_000)).toBe(true);
  await sleep(200);
  sup.flush();
  const h = sup.history();

  const connected = ofType(h, 'client-connected')[0];
  const accept = ofType(h, 'accept').find((a) => a.peer.port === connected.localPort)!;
  expect(accept).toBeDefined();
  const conn = accept.conn;
  const fork = ofType(h, 'fork').find((f) => f.conn === conn)!;
  const child = fork.child;
  const story = [
    accept,
    fork,
    ofType(h, 'request').find((e) => e.conn === conn && e.pid === child)!,
    ofType(h, 'response').find((e) => e.conn === conn && e.pid === child)!,
    ofType(h, 'exit').find((e) => e.child === child)!,
    ofType(h, 'reap').find((e) => e.child === child)!,
  ];
  expect(story.map((e) => e?.type)).toEqual(['accept', 'fork', 'request', 'response', 'exit', 'reap']);
  expect(story.every((e) => e.source === 'server')).toBe(true);
  expect(story[0].pid).toBe(master!.pid);
  expect(story[1].pid).toBe(master!.pid);
  const at = story.map((e) => h.indexOf(e));
  expect([...at].sort((a, b) => a - b)).toEqual(at); // in timeline order…
  const ts = story.map((e) => e.t);
  expect([...ts].sort((a, b) => a - b)).toEqual(ts); // …which is time order on one clock

  // The client's side of the same connection, interleaved, in its own order.
  const id = connected.id;
  const client = h.filter((e) => e.source === 'client' && 'id' in e && e.id === id);
  const kinds = client.map((e) => e.type);
  for (const k of ['client-connect', 'client-connected', 'client-sent', 'client-first-byte', 'client-done']) expect(kinds).toContain(k);
  const order = ['client-connect', 'client-connected', 'client-sent', 'client-first-byte', 'client-done'].map((k) => h.findIndex((e) => e.type === k && 'id' in e && e.id === id));
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  // The client cannot see the response before the worker sent it, nor be connected before it asked.
  expect(h.indexOf(client.find((e) => e.type === 'client-first-byte')!)).toBeGreaterThan(h.indexOf(story[0]));
  expect(client.every((e) => e.pid === process.pid)).toBe(true);
  // One clock: the request's server and client events, merged, are in time order.
  const merged = h.filter((e) => story.includes(e as never) || client.includes(e));
  const mt = merged.map((e) => e.t);
  expect(mt.every((t, i) => i === 0 || t >= mt[i - 1])).toBe(true);
  // A worker's events carry the master's clock: its request comes after the master's fork.
  expect(story[2].t - story[1].t).toBeGreaterThan(0);
  expect(story[2].t - story[1].t).toBeLessThan(5000);
});

it('a 1,000-request burst: at most 60 batches a second, bounded history, counters equal the events; a late snapshot equals an early view', async () => {
  const bound = 2000;
  const sup = makeSupervisor({ historySize: bound });
  // The early subscriber: one snapshot, then every batch applied with the same reducer.
  const stamps: number[] = [];
  const seen: ForkscopeEvent[] = [];
  let nextSeq = -1;
  let gaps = 0;
  let view: Summary | null = null;
  const early = sup.subscribe((batch) => {
    stamps.push(performance.now());
    if (batch.seq !== nextSeq) gaps++;
    nextSeq = batch.seq + batch.events.length;
    for (const e of batch.events) {
      seen.push(e);
      applyEvent(view!, e);
    }
  });
  view = cloneSummary(early.snapshot.summary);
  nextSeq = early.snapshot.nextSeq;

  const { master } = await sup.start(config({ model: 'prefork', workers: 2, reap: 'loop' }));
  const result = await sup.fire(fireOpts(master!.port, { mode: 'burst', clients: 10, conns: 100 }));
  expect(result.statuses).toEqual({ '200': 1000 });
  // The client has every answer; the workers' own events come through their batched pipes and
  // the master, a moment later on a busy machine.
  const total = () => sup.summary().counters;
  expect(await until(() => total().requests === 1000 && total().accepted === 1000 && (total().responses['200'] ?? 0) === 1000, 10_000)).toBe(true);
  await sleep(100);
  sup.flush();

  // Batches: one array each, contiguous, never more than 60 in any one-second window.
  expect(gaps).toBe(0);
  let worst = 0;
  for (let i = 0; i < stamps.length; i++) {
    let j = i;
    while (j < stamps.length && stamps[j] - stamps[i] < 1000) j++;
    worst = Math.max(worst, j - i);
  }
  expect(worst).toBeLessThanOrEqual(60);
  expect(seen.length).toBeGreaterThan(bound); // the burst overflowed the history…
  expect(sup.history().length).toBeLessThanOrEqual(bound); // …which stayed within its bound

  // Counters equal the events the subscriber received.
  const s = sup.summary();
  const count = (type: string) => seen.filter((e) => e.type === type).length;
  expect(s.counters.accepted).toBe(count('accept'));
  expect(s.counters.requests).toBe(count('request'));
  expect(s.counters.forked).toBe(count('fork'));
  expect(s.counters.exited).toBe(count('exit'));
  expect(s.counters.reaped).toBe(count('reap'));
  expect(s.counters.errors).toBe(count('error'));
  expect(s.counters.requests).toBe(1000);
  expect(s.counters.accepted).toBe(1000);
  const statuses: Record<string, number> = {};
  for (const e of ofType(seen, 'response')) statuses[e.status] = (statuses[e.status] ?? 0) + 1;
  expect(s.counters.responses).toEqual(statuses);
  expect(ofType(seen, 'client-done')).toHaveLength(1000);

  // Acceptance 5: a late subscriber's snapshot equals the early subscriber's running summary.
  const late = sup.subscribe(() => {});
  expect(late.snapshot.summary).toEqual(view);
  expect(late.snapshot.nextSeq).toBe(nextSeq);
  expect(late.snapshot.events.at(-1)).toEqual(seen.at(-1));
  late.unsubscribe();

  await sup.stop();
  sup.flush();
  const final = sup.subscribe(() => {});
  expect(final.snapshot.summary).toEqual(view);
  expect(view!.running).toBe(false);
  early.unsubscribe();
});
