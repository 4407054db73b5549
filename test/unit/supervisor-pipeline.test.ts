// The supervisor's pipeline without processes: NDJSON lines → ordered timeline → bounded
// history, live summary, batches at most 60 a second.
import { describe, expect, it } from 'vitest';
import type { ForkscopeEvent } from '../../server-core/events';
import { Ring } from '../../src-main/supervisor/history';
import { LineSplitter, parseEvent } from '../../src-main/supervisor/ndjson';
import { Timeline } from '../../src-main/supervisor/timeline';
import { FIRST_BYTE_HOLD_MS } from '../../src-main/supervisor/first-byte-hold';
import { applyEvent, cloneSummary, emptySummary } from '../../src-main/supervisor/summary';
import { serveArgs, defaultRunConfig } from '../../src-main/supervisor/argv';
import { explainExit } from '../../src-main/supervisor/supervisor';
import type { Batch } from '../../src-main/supervisor/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ev(t: number, type = 'accept', extra: Record<string, unknown> = {}): ForkscopeEvent {
  return { type, t, pid: 1, conn: Math.round(t), peer: { address: '127.0.0.1', port: 1 }, ...extra } as ForkscopeEvent;
}

describe('Ring', () => {
  it('keeps the newest items, addressed by sequence number', () => {
    const r = new Ring<number>(3);
    for (let i = 0; i < 10; i++) r.push(i);
    expect(r.size).toBe(3);
    expect(r.firstSeq).toBe(7);
    expect(r.nextSeq).toBe(10);
    expect(r.last()).toEqual([7, 8, 9]);
    expect(r.last(2)).toEqual([8, 9]);
    expect(() => new Ring(0)).toThrow(RangeError);
  });
});

describe('LineSplitter and parseEvent', () => {
  it('joins lines cut across chunks and drops what is not an event', () => {
    const lines: string[] = [];
    const s = new LineSplitter();
    s.push('{"type":"accept","t":1,"pid":2}\n{"type":"fo', (l) => lines.push(l));
    s.push('rk","t":2,"pid":2}\r\n\nnot json\n{"t', (l) => lines.push(l));
    s.end((l) => lines.push(l));
    expect(lines).toEqual(['{"type":"accept","t":1,"pid":2}', '{"type":"fork","t":2,"pid":2}', 'not json', '{"t']);
    expect(lines.map(parseEvent).map((e) => e?.type ?? null)).toEqual(['accept', 'fork', null, null]);
    expect(parseEvent('{"type":"x"}')).toBeNull(); // no t, no pid
  });
});

describe('Timeline', () => {
  it('orders events from several streams by time, tags the source, numbers them', async () => {
    let clock = 1000;
    const tl = new Timeline({ reorderMs: 50, now: () => clock });
    const got: Batch[] = [];
    tl.subscribe((b) => got.push(b));
    tl.push(ev(990), 'server');
    tl.push(ev(985, 'client-connect', { id: 1 }), 'client');
    tl.push(ev(995), 'server');
    clock = 1039; // 990 and 995 are not ripe yet (cutoff 989)
    tl.flush();
    expect(got.flatMap((b) => b.events).map((e) => e.t)).toEqual([985]);
    clock = 1100;
    tl.flush();
    const all = got.flatMap((b) => b.events);
    expect(all.map((e) => e.t)).toEqual([985, 990, 995]);
    expect(all.map((e) => e.source)).toEqual(['client', 'server', 'server']);
    expect(got[0].seq).toBe(0);
    expect(got[1].seq).toBe(1);
    tl.dispose();
  });

  it('holds a client\'s first byte until the server\'s word on that connection has come through its pipe', () => {
    let clock = 1000;
    const tl = new Timeline({ reorderMs: 20, maxReorderMs: 20, now: () => clock });
    const got: ForkscopeEvent[] = [];
    tl.subscribe((b) => got.push(...b.events));
    tl.push(ev(900, 'client-connected', { id: 1, localPort: 40000 }), 'client');
    tl.push(ev(901, 'accept', { conn: 7, peer: { address: '127.0.0.1', port: 40000 } }), 'server');
    tl.push(ev(950, 'client-first-byte', { id: 1 }), 'client');
    tl.push(ev(960, 'client-done', { id: 1, status: 200 }), 'client');
    clock = 1100; // all ripe by the window, but the worker's request (t 910) is still in a pipe
    tl.flush();
    expect(got.map((e) => e.type)).toEqual(['client-connected', 'accept']);
    tl.push(ev(910, 'request', { conn: 7 }), 'server');
    clock = 1200;
    tl.flush();
    expect(got.map((e) => e.t)).toEqual([900, 901, 910, 950, 960]);
    // A first byte the server never speaks of waits no longer than FIRST_BYTE_HOLD_MS.
    tl.push(ev(1300, 'client-connected', { id: 2, localPort: 40001 }), 'client');
    tl.push(ev(1310, 'client-first-byte', { id: 2 }), 'client');
    clock = 1400;
    tl.flush();
    expect(got).toHaveLength(6);
    clock = 1310 + FIRST_BYTE_HOLD_MS;
    tl.flush();
    expect(got).toHaveLength(7);
    // A later run of a server that reports no accepts (observe): nothing waits.
    tl.push(ev(2400, 'observing', {}), 'kernel');
    tl.push(ev(2410, 'client-connected', { id: 3, localPort: 40002 }), 'client');
    tl.push(ev(2420, 'client-first-byte', { id: 3 }), 'client');
    clock = 2500;
    tl.flush();
    expect(got).toHaveLength(10);
    tl.dispose();
  });

  it('delivers at most 60 batches in any second however fast events come', async () => {
    const tl = new Timeline({ reorderMs: 0 });
    const stamps: number[] = [];
    let events = 0;
    tl.subscribe((b) => {
      stamps.push(performance.now());
      events += b.events.length;
    });
    const { now } = await import('../../server-core/clock');
    let pushed = 0;
    const end = performance.now() + 1500;
    while (performance.now() < end) {
      for (let i = 0; i < 20; i++, pushed++) tl.push(ev(now()), 'server');
      await new Promise((r) => setImmediate(r));
    }
    await sleep(100);
    tl.flush(true);
    expect(events).toBe(pushed);
    let worst = 0;
    for (let i = 0; i < stamps.length; i++) {
      let j = i;
      while (j < stamps.length && stamps[j] - stamps[i] < 1000) j++;
      worst = Math.max(worst, j - i);
    }
    expect(worst).toBeLessThanOrEqual(60);
    expect(worst).toBeGreaterThan(5); // it does batch often, not once at the end
    tl.dispose();
  });

  it('keeps the history within its bound and a late snapshot equals an early subscriber’s view', () => {
    let clock = 0;
    const tl = new Timeline({ historySize: 50, reorderMs: 0, maxBatchesPerSecond: 1e6, now: () => clock });
    const early = tl.subscribe(() => {});
    early.unsubscribe();
    const view = cloneSummary(early.snapshot.summary);
    const seen: ForkscopeEvent[] = [];
    tl.subscribe((b) => b.events.forEach((e) => (applyEvent(view, e), seen.push(e))));
    for (let i = 0; i < 300; i++) {
      clock = i;
      tl.push(ev(i, ['accept', 'fork', 'request', 'response', 'reap'][i % 5], { status: 200, child: i }), 'server');
      tl.flush();
    }
    expect(tl.size).toBe(50);
    expect(tl.nextSeq).toBe(300);
    const late = tl.subscribe(() => {});
    expect(late.snapshot.events).toHaveLength(50);
    expect(late.snapshot.nextSeq).toBe(300);
    expect(late.snapshot.summary).toEqual(view);
    expect(view.counters).toMatchObject({ accepted: 60, forked: 60, requests: 60, reaped: 60, responses: { '200': 60 } });
    expect(seen).toHaveLength(300);
    tl.dispose();
  });
});

describe('summary reducer', () => {
  it('applies full and diff proc events, run start and death', () => {
    const s = emptySummary();
    const config = defaultRunConfig();
    applyEvent(s, { type: 'master-start', t: 0, pid: 1, child: 10, argv: [], config });
    expect(s.running).toBe(true);
    expect(s.config).toEqual(config);
    applyEvent(s, { type: 'listening', t: 1, pid: 10, host: '127.0.0.1', port: 5, backlog: 5, model: 'fork', reap: 'none', app: 'hello', origin: '0' });
    expect(s.master).toEqual({ pid: 10, host: '127.0.0.1', port: 5, backlog: 5 });
    const p = (pid: number, state: string, role: 'master' | 'worker' | 'supervisor') => ({ pid, ppid: 1, state, start: 0, cmd: '', fds: null, rssKb: 0, role });
    applyEvent(s, { type: 'proc', t: 2, pid: 1, procs: [p(11, 'S', 'worker'), p(10, 'S', 'master'), p(1, 'S', 'supervisor')], zombies: 0 });
    expect(s.procs.map((x) => x.pid)).toEqual([1, 10, 11]);
    applyEvent(s, { type: 'proc', t: 3, pid: 1, procs: [p(11, 'Z', 'worker'), p(12, 'Z', 'worker')], zombies: 2, full: false, gone: [] });
    expect(s.zombies).toEqual({ count: 2, pids: [11, 12] });
    applyEvent(s, { type: 'proc', t: 4, pid: 1, procs: [], zombies: 1, full: false, gone: [11] });
    expect(s.zombies).toEqual({ count: 1, pids: [12] });
    applyEvent(s, { type: 'divergence', t: 5, pid: 1, what: 'zombies', master: 0, kernel: 1 });
    expect(s.divergence?.kernel).toBe(1);
    applyEvent(s, { type: 'divergence', t: 6, pid: 1, what: 'zombies', master: 0, kernel: 0, resolved: true });
    expect(s.divergence).toBeNull();
    applyEvent(s, { type: 'master-exit', t: 7, pid: 1, code: null, signal: 'SIGKILL', stderr: [], message: 'killed' });
    expect(s).toMatchObject({ running: false, master: null, lastError: 'killed' });
  });

  it('a watched server: observing starts a run; connections, handler and traced SIGCHLDs follow; its end clears them', () => {
    const s = emptySummary();
    const seen = { basis: 'observed' as const, pid: 40 };
    applyEvent(s, { type: 'observing', t: 1, ...seen, host: '127.0.0.1', port: 8888, backlog: 5, listeners: [40], tracing: false, origin: '0', command: ['python3', 'x.py'], cwd: '/w' });
    expect(s).toMatchObject({ running: true, config: null, master: { pid: 40, port: 8888, backlog: 5 }, queue: { length: 0, backlog: 5 } });
    expect(s.observed).toEqual({ pid: 40, command: ['python3', 'x.py'], cwd: '/w', tracing: false, traceNote: null, handler: null, sent: { queued: 0, merged: 0, ignored: 0 } });
    applyEvent(s, { type: 'notice', t: 2, ...seen, code: 'NO_TRACE', message: 'needs root' });
    applyEvent(s, { type: 'sigchld-handler', t: 2, ...seen, proc: 40, action: 'handler' });
    applyEvent(s, { type: 'sigchld-sent', t: 2, ...seen, child: 41, result: 'merged' });
    expect(s.observed).toMatchObject({ traceNote: 'needs root', handler: 'handler', sent: { queued: 0, merged: 1, ignored: 0 } });
    const conn = (n: number, state: string, holders: number[]) =>
      ({ type: 'connection', t: 3, ...seen, conn: n, local: { address: '127.0.0.1', port: 8888 }, peer: { address: '127.0.0.1', port: 5000 + n }, state, holders, waiting: false }) as const;
    applyEvent(s, conn(1, 'ESTABLISHED', [40, 41]));
    applyEvent(s, conn(2, 'ESTABLISHED', [40]));
    applyEvent(s, conn(1, 'CLOSE_WAIT', [40]));
    expect(s.connections.map((c) => [c.conn, c.state, c.holders])).toEqual([[1, 'CLOSE_WAIT', [40]], [2, 'ESTABLISHED', [40]]]);
    applyEvent(s, conn(2, 'CLOSED', []));
    expect(s.connections.map((c) => c.conn)).toEqual([1]);
    const p = (pid: number, state: string, role: 'master' | 'worker') => ({ pid, ppid: 40, state, start: 0, cmd: '', fds: null, rssKb: 0, role });
    applyEvent(s, { type: 'proc', t: 5, ...seen, procs: [p(40, 'S', 'master'), p(41, 'Z', 'worker')], zombies: 1 });
    expect(s.zombies).toEqual({ count: 1, pids: [41] });
    applyEvent(s, { type: 'master-exit', t: 6, ...seen, code: null, signal: 'SIGTERM', stderr: [], expected: true });
    expect(s).toMatchObject({ running: false, connections: [] });
    expect(s.observed?.pid).toBe(40); // still said what was watched
    applyEvent(s, { type: 'master-start', t: 7, pid: 1, child: 50, argv: [], config: defaultRunConfig() });
    expect(s.observed).toBeNull();
  });
});

describe('serveArgs and explainExit', () => {
  it('maps a RunConfig onto serve flags', () => {
    const args = serveArgs({ ...defaultRunConfig(), model: 'prefork', workers: 3, maxRequests: 10, parentKeepsConn: true, nofile: 64, port: 0 });
    expect(args.join(' ')).toBe(
      'serve hello --model prefork --interface wsgi --host 127.0.0.1 --port 0 --backlog 5 --reap loop --workers 3 --max-requests 10 --parent-keeps-conn --nofile 64 --json',
    );
    expect(serveArgs({ ...defaultRunConfig(), model: 'iterative' })).not.toContain('--reap');
    const pool = serveArgs({ ...defaultRunConfig(), model: 'prefork', workerConnections: 4, bodyTimeoutS: 5 }).join(' ');
    expect(pool).toContain('--worker-connections 4');
    expect(pool).toContain('--body-timeout 5');
    expect(serveArgs({ ...defaultRunConfig(), model: 'fork', workerConnections: 4 })).not.toContain('--worker-connections');
  });

  it('says in plain words why the master died', () => {
    expect(explainExit(7, { code: null, signal: 'SIGKILL', stderr: [] }, 'node')).toBe('The server (pid 7) was killed by SIGKILL.');
    expect(explainExit(7, { code: 2, signal: null, stderr: ['forkscope serve: port 8888 is already in use (EADDRINUSE)'] }, 'node')).toMatch(
      /exit code 2\. It said: forkscope serve: port 8888 is already in use/,
    );
    expect(explainExit(7, { code: null, signal: null, stderr: ['spawn nodez ENOENT'] }, 'nodez')).toMatch(/Could not start the server with nodez: spawn nodez ENOENT/);
  });
});

describe('Timeline reorder window', () => {
  it('grows while events arrive late, within its cap, and shrinks back', () => {
    let clock = 10_000;
    const tl = new Timeline({ reorderMs: 50, maxReorderMs: 250, now: () => clock });
    expect(tl.windowMs()).toBe(50);
    tl.push(ev(clock - 120), 'server'); // arrived 120 ms after it happened
    expect(tl.windowMs()).toBeCloseTo(130, 5);
    tl.push(ev(clock - 900), 'server'); // very late: capped
    expect(tl.windowMs()).toBe(250);
    clock += 10_000; // ten quiet seconds later
    expect(tl.windowMs()).toBe(50);
    tl.dispose();
  });

  it('starts at 20 ms by default and gives a grown window back at 200 ms per second', () => {
    let clock = 10_000;
    const tl = new Timeline({ now: () => clock });
    expect(tl.windowMs()).toBe(20);
    tl.push(ev(clock - 120), 'server');
    expect(tl.windowMs()).toBeCloseTo(130, 5);
    clock += 250; // 120 − 50 + 10
    expect(tl.windowMs()).toBeCloseTo(80, 5);
    clock += 1_000;
    expect(tl.windowMs()).toBe(20);
    tl.dispose();
  });
});
