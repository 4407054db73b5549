// Issue 14's acceptance: each example server, started by `forkscope observe --json`, driven by
// the built-in client, and every observed number held against the kernel — /proc for
// processes, zombies and descriptors, /proc/net/tcp (not inet_diag, which observe reads) for
// the accept queue and connection states.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultFireOptions, fireBurst } from '../../server-core/client/engine';
import type { ContractEvent } from '../../server-core/events';
import { childrenOf, idleInAccept, processGroup, socketInodes, tcpRows, zombieChildrenOf } from '../helpers/proc';
import { example, python } from '../helpers/python';
import { until } from '../helpers/raw-get';
import { killAllServers, startObserve, type ObserveRun } from '../helpers/server';

afterEach(() => killAllServers());

const burst = (run: ObserveRun, clients: number, over: Partial<Parameters<typeof defaultFireOptions>[0]> = {}) =>
  fireBurst(defaultFireOptions({ url: `http://127.0.0.1:${run.port}/`, mode: 'burst', clients, conns: 1, timeoutS: 10, ...over }), () => {});

/** Stops observe (SIGTERM) and checks it left nothing of the server running. */
async function stopAndCheck(run: ObserveRun): Promise<Extract<ContractEvent, { type: 'leftovers' }>> {
  const { code } = await run.stop();
  expect(code).toBe(0);
  const left = run.of('leftovers').at(-1)!;
  expect(left).toBeDefined();
  expect(run.of('stopped').at(-1)?.code).toBe(0);
  // Nothing of the server runs: not it, not a child (a zombie is no longer running).
  expect(processGroup(run.server).filter((p) => p.state !== 'Z')).toEqual([]);
  expect(childrenOf(run.server).filter((p) => p.state !== 'Z')).toEqual([]);
  return left;
}

/** A client that connects, sends, and keeps its socket; `eof` resolves if the server ever closes. */
function holdingClient(port: number, request: string | null): Promise<{ socket: Socket; localPort: number; received: () => string; eof: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let got = '';
    let onEof: () => void = () => {};
    const eof = new Promise<void>((r) => (onEof = r));
    socket.on('data', (c) => (got += c.toString('latin1')));
    socket.on('end', () => onEof());
    socket.on('error', reject);
    socket.on('connect', () => {
      if (request !== null) socket.write(request);
      resolve({ socket, localPort: socket.localPort!, received: () => got, eof });
    });
  });
}

describe.skipIf(process.platform !== 'linux' || !python)('forkscope observe on the example servers', () => {
  it('fork-no-reap: ten requests leave ten zombies, counted as /proc counts them; the stop reports them', async () => {
    const run = await startObserve(example('fork-no-reap.py'));
    expect(run.of('observing')[0].basis).toBe('observed');
    expect(run.of('observing')[0].backlog).toBe(5);
    const summary = await burst(run, 10);
    expect(summary.outcomes.ok).toBe(10);
    await run.waitFor('zombies', (e) => e.count === 10);
    const last = run.of('zombies').at(-1)!;
    expect(last.pids).toEqual(zombieChildrenOf(run.server));
    expect(run.of('reap')).toHaveLength(0);
    // Every event observe wrote is marked as observed.
    expect(run.events.every((e) => e.basis === 'observed')).toBe(true);
    const tree = run.of('proc').flatMap((e) => e.procs);
    expect(tree.find((p) => p.pid === run.server)?.role).toBe('master');
    const left = await stopAndCheck(run);
    expect(left.zombies).toEqual(last.pids);
  });

  it('backlog: with the server asleep before accept(), the queue reaches backlog + 1, and the kernel agrees', async () => {
    const run = await startObserve(example('backlog.py'));
    const ac = new AbortController();
    const clients = fireBurst(defaultFireOptions({ url: `http://127.0.0.1:${run.port}/`, mode: 'burst', clients: 8, conns: 1, timeoutS: 5 }), () => {}, { signal: ac.signal });
    const full = await run.waitFor('queue', (e) => e.length === e.backlog + 1, 10_000);
    expect(full.backlog).toBe(5);
    const listen = tcpRows(run.port).find((r) => r.state === 10)!;
    expect(listen.rxQueue).toBe(6);
    // The six waiting connections: completed by the kernel, held by no process yet.
    await until(() => new Set(run.of('connection').filter((c) => c.waiting && c.holders.length === 0).map((c) => c.conn)).size >= 6, 3000);
    ac.abort();
    await clients.catch(() => {});
    await stopAndCheck(run);
  });

  it('fork-no-close: the client hangs; the parent holds its connection, and a later child inherits it', async () => {
    const run = await startObserve(example('fork-no-close.py'));
    const first = await holdingClient(run.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    // The response arrives, the end of it never does: the parent still holds the connection.
    expect(await until(() => first.received().includes('Hello, World!'), 5000)).toBe(true);
    const hung = await Promise.race([first.eof.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 800))]);
    expect(hung).toBe(true);
    const held = await run.waitFor('connection', (e) => e.peer.port === first.localPort && e.holders.includes(run.server));
    const row = tcpRows(run.port).find((r) => r.remotePort === first.localPort)!;
    expect(socketInodes(run.server)).toContain(row.inode);

    // The client gives up: the server's side is CLOSE_WAIT, still held by the parent.
    first.socket.end();
    const closeWait = await run.waitFor('connection', (e) => e.conn === held.conn && e.state === 'CLOSE_WAIT');
    expect(closeWait.holders).toContain(run.server);
    expect(tcpRows(run.port).find((r) => r.remotePort === first.localPort)?.state).toBe(8);

    // A second client says nothing: its child waits in recv() — holding the first connection too.
    const second = await holdingClient(run.port, null);
    // Its child is named by its own connection (the first child, done and gone, may still appear in an early pass).
    const own = await run.waitFor('connection', (e) => e.peer.port === second.localPort && e.holders.some((p) => p !== run.server));
    const child = own.holders.find((p) => p !== run.server)!;
    expect(childrenOf(run.server).map((p) => p.pid)).toContain(child);
    await run.waitFor('connection', (e) => e.conn === held.conn && e.holders.includes(child));
    expect(socketInodes(child)).toContain(row.inode);
    // The child closed its copy of the listener: so says /proc, and so does the watcher's latest look at it
    // (a pass may have caught it between fork() and close()).
    const listener = tcpRows(run.port).find((r) => r.state === 10)!; // TCP_LISTEN
    expect(socketInodes(child)).not.toContain(listener.inode);
    const latestFds = () => run.of('fds').filter((e) => e.proc === child && e.sockets.some((s) => s.conn === held.conn)).at(-1);
    await expect.poll(() => latestFds()?.sockets.some((s) => s.listen)).toBe(false);
    second.socket.destroy();
    await stopAndCheck(run);
  });

  it('reap-loop: a burst of 30 leaves no zombie', async () => {
    const run = await startObserve(example('reap-loop.py'));
    await run.waitFor('sigchld-handler', (e) => e.action === 'handler'); // installed just after listen(): a first pass may come before it
    const summary = await burst(run, 30);
    expect(summary.outcomes.ok).toBe(30);
    expect(await until(() => zombieChildrenOf(run.server).length === 0 && childrenOf(run.server).length === 0, 5000)).toBe(true);
    // The watcher's passes say so too, a pass or two after the last exit (traced: all 30 exits).
    const tracing = run.of('observing')[0].tracing;
    const seen = (): boolean => {
      const exited = new Set(run.of('exit').map((e) => e.child));
      return run.of('zombies').at(-1)?.count === 0 && (!tracing || exited.size === 30) && run.of('reap').length >= exited.size;
    };
    expect(await until(seen, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(run.of('zombies').at(-1)?.count).toBe(0);
    // Each child seen exiting is seen reaped, by the server's own wait().
    const exits = new Set(run.of('exit').map((e) => e.child));
    const reaps = run.of('reap');
    expect(reaps.every((r) => r.by === 'parent')).toBe(true);
    expect(new Set(reaps.map((r) => r.child))).toEqual(exits);
    if (run.of('observing')[0].tracing) {
      // Traced: every exit and every reap is seen, however fast (the tracepoints miss nothing).
      expect(exits.size).toBe(30);
      expect(reaps.every((r) => r.via === 'wait4' && r.zombieMs !== null)).toBe(true);
    }
    const left = await stopAndCheck(run);
    expect(left.zombies).toEqual([]);
  });

  it('reap-one-per-signal: what the burst leaves is what /proc shows; traced, merged SIGCHLDs account for it', async () => {
    const run = await startObserve(example('reap-one-per-signal.py'));
    await run.waitFor('sigchld-handler', (e) => e.action === 'handler'); // installed just after listen(): a first pass may come before it
    await burst(run, 30);
    // Every child has exited: whatever is left is a zombie, and stays one (no handler runs any more).
    expect(await until(() => childrenOf(run.server).length === zombieChildrenOf(run.server).length, 10_000), 'every child exited').toBe(true);
    // And the server has handled every SIGCHLD it will ever get: it is back in accept(), none pending.
    expect(await until(() => idleInAccept(run.server), 10_000), 'the server back in accept() with no SIGCHLD pending').toBe(true);
    const left = zombieChildrenOf(run.server);
    const said = await run.waitFor('zombies', (e) => e.pids.join() === left.join()).catch(() => null);
    expect(said?.pids, `the watcher's zombies (last said: ${run.of('zombies').at(-1)?.pids.join() ?? 'none'})`).toEqual(left);
    if (run.of('observing')[0].tracing) {
      const counted = await until(() => run.of('sigchld-sent').length >= 30 && run.of('reap').length >= 30 - left.length, 10_000);
      expect(counted, `traced: ${run.of('sigchld-sent').length} SIGCHLDs sent of 30, ${run.of('reap').length} reaps for ${30 - left.length}`).toBe(true);
      const sent = run.of('sigchld-sent');
      expect(sent).toHaveLength(30);
      const merged = sent.filter((s) => s.result === 'merged').length;
      // One wait() per handler run: zombies left ≥ signals lost by merging; reaps = exits − zombies.
      expect(left.length).toBeGreaterThanOrEqual(merged);
      expect(run.of('reap')).toHaveLength(30 - left.length);
      expect(run.of('sigchld').at(-1)?.n ?? 0).toBe(sent.filter((s) => s.result === 'queued').length);
    }
    await stopAndCheck(run);
  });

  it('iterative: one process, no children, every connection served by the server itself', async () => {
    const run = await startObserve(example('iterative.py'));
    const summary = await burst(run, 3);
    expect(summary.outcomes.ok).toBe(3);
    expect(childrenOf(run.server)).toEqual([]);
    expect(run.of('proc').flatMap((e) => e.procs).every((p) => p.pid === run.server)).toBe(true);
    expect((await run.waitFor('sigchld-handler')).action).toBe('default');
    await stopAndCheck(run);
  });
});
