// Issue 4's acceptance: the built-in client against the REAL server (`forkscope serve`).
// Transcripts and exit codes go through the CLI; the timing lessons run the engine in this
// process on the server's own clock (setOrigin(listening.origin)), so client and server
// events share one timeline.
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultFireOptions, fireBurst, fireSingle, fireSlow } from '../../server-core/client/engine';
import { setOrigin } from '../../server-core/clock';
import type { ClientEvent, EventOf } from '../../server-core/events';
import { killAllServers, runCli, startServer } from '../helpers/server';

afterEach(() => killAllServers());
afterAll(() => killAllServers());

type Line = ClientEvent | ({ type: 'fire-summary' } & Record<string, unknown>);
const jsonLines = (stdout: string): Line[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);
const ofType = <T extends ClientEvent['type']>(events: readonly { type: string }[], type: T): EventOf<T>[] =>
  events.filter((e) => e.type === type) as EventOf<T>[];

function collect(): { events: ClientEvent[]; sink: (e: ClientEvent) => void } {
  const events: ClientEvent[] = [];
  return { events, sink: (e) => events.push(e) };
}

describe('forkscope fire against forkscope serve', () => {
  it('1. a single GET prints a transcript: request line, status line, body', async () => {
    const srv = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    const r = await runCli(['fire', `http://127.0.0.1:${srv.port}/hello`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^\\* Connected to 127\\.0\\.0\\.1 port ${srv.port} \\(local port \\d+\\)`, 'm'));
    expect(r.stdout).toMatch(/^> GET \/hello HTTP\/1\.1$/m);
    expect(r.stdout).toMatch(new RegExp(`^> Host: 127\\.0\\.0\\.1:${srv.port}$`, 'm'));
    expect(r.stdout).toMatch(/^< HTTP\/1\.1 200 OK$/m);
    expect(r.stdout).toMatch(/^Hello world from a simple WSGI application!$/m);
    expect(r.stdout).toMatch(/^\* Response complete: status 200, 44 body bytes/m);
    expect(r.stdout).toMatch(/^\* The server closed the connection \(end-of-file\)/m);
    // The server saw the same request the transcript shows.
    const request = await srv.waitFor('request');
    expect(request).toMatchObject({ method: 'GET', path: '/hello' });
  });

  it('2. a burst of 20 × 5 against the fork model: 100 × 200, each client connection matches one server accept (by its port)', async () => {
    const srv = await startServer(['hello', '--model', 'fork', '--port', '0']);
    const r = await runCli(['fire', `http://127.0.0.1:${srv.port}/hello`, '--clients', '20', '--conns', '5', '--timeout', '60', '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const done = ofType(lines, 'client-done');
    expect(done).toHaveLength(100);
    expect(done.every((e) => e.status === 200)).toBe(true);
    const summary = lines[lines.length - 1];
    expect(summary).toMatchObject({ type: 'fire-summary', total: 100, responded: 100, statuses: { '200': 100 } });

    await srv.waitForCount('close', 100, 30_000);
    const accepts = srv.of('accept');
    const connected = ofType(lines, 'client-connected');
    expect(connected).toHaveLength(100);
    // A port can come round twice in a burst: the server closes first (the seed's close()), so
    // the client's side of a finished connection has no TIME_WAIT and its port may be reused.
    // Each use of a port by the client matches one accept of that port by the server.
    const uses = new Map<number, number>();
    for (const c of connected) uses.set(c.localPort, (uses.get(c.localPort) ?? 0) + 1);
    for (const [port, n] of uses) {
      expect(accepts.filter((a) => a.peer.port === port), `local port ${port}`).toHaveLength(n);
    }
    expect(accepts).toHaveLength(100);
    // And a worker process served them (fork model): the accepts were handed to children.
    expect(srv.of('fork').length).toBeGreaterThanOrEqual(100);
  });

  it('3. raw malformed bytes get the server\'s 400, shown in the transcript', async () => {
    const srv = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    const r = await runCli(['fire', `http://127.0.0.1:${srv.port}/`, '--raw', '-'], { input: 'GARBAGE \x01 nonsense\r\n\r\n' });
    expect(r.code, r.stderr).toBe(0); // a response came back
    expect(r.stdout).toMatch(/^> GARBAGE \\x01 nonsense$/m);
    expect(r.stdout).toMatch(/^< HTTP\/1\.1 400 Bad Request$/m);
    expect(r.stdout).toMatch(/^\* Response complete: status 400/m);
    const err = await srv.waitFor('error', (e) => e.status === 400);
    expect(err.code).toBeTruthy();
  });

  it('4. a client that sends nothing blocks the iterative server; the next one connects at once but waits for the read timeout', async () => {
    const srv = await startServer(['hello', '--model', 'iterative', '--read-timeout', '2', '--port', '0']);
    const listening = await srv.waitFor('listening');
    setOrigin(listening.origin); // client events on the server's timeline
    const url = `http://127.0.0.1:${srv.port}/hello`;
    const silent = collect();
    const polite = collect();
    const first = fireSlow(defaultFireOptions({ url, sendNothing: true, timeoutS: 15 }), silent.sink);
    const firstAccept = await srv.waitFor('accept');
    const second = fireSingle(defaultFireOptions({ url, timeoutS: 15 }), polite.sink);
    const [s1, s2] = await Promise.all([first, second]);

    // The silent client: accepted, then answered 408 when the server's read timeout fired.
    expect(s1.statuses).toEqual({ '408': 1 });
    const timeoutErr = await srv.waitFor('error', (e) => e.conn === firstAccept.conn && e.status === 408);
    const silentConnected = ofType(silent.events, 'client-connected')[0];
    expect(firstAccept.peer.port).toBe(silentConnected.localPort);

    // The polite client: its handshake completed at once (it waited in the accept queue) ...
    expect(s2.statuses).toEqual({ '200': 1 });
    const politeConnect = ofType(polite.events, 'client-connect')[0];
    const politeConnected = ofType(polite.events, 'client-connected')[0];
    // (no SYN sent again — a retry would take a second — and the kernel's own count says none)
    expect(politeConnected.ms).toBeLessThan(900);
    expect(politeConnected.synRetries ?? 0).toBe(0);
    // ... the server's probe saw it queued ...
    await srv.waitFor('queue', (q) => q.length >= 1 && q.t >= politeConnect.t - 50);
    // ... and it was accepted, and answered, only after the first one's read timeout.
    const secondAccept = await srv.waitFor('accept', (a) => a.peer.port === politeConnected.localPort);
    expect(secondAccept.t).toBeGreaterThanOrEqual(timeoutErr.t);
    const firstByte = ofType(polite.events, 'client-first-byte')[0];
    expect(firstByte.t).toBeGreaterThanOrEqual(timeoutErr.t);
    expect(firstByte.ms).toBeGreaterThan(1000); // it sat in the queue for most of the 2 s timeout
    expect(politeConnected.t).toBeLessThan(timeoutErr.t - 500); // connected well before the timeout, then waited
  });

  it('5. iterative, --backlog 1, slow app: a burst of 10 fills the queue and connects are delayed by SYN retries', async () => {
    const srv = await startServer(['slow', '--model', 'iterative', '--backlog', '1', '--port', '0']);
    const listening = await srv.waitFor('listening');
    setOrigin(listening.origin);
    const c = collect();
    const summary = await fireBurst(defaultFireOptions({ url: `http://127.0.0.1:${srv.port}/slow?ms=300`, clients: 10, conns: 1, timeoutS: 40 }), c.sink);
    expect(summary).toMatchObject({ total: 10, responded: 10, statuses: { '200': 10 } });

    // Queued: the kernel held backlog + 1 = 2 connections waiting for accept.
    const queue = srv.of('queue');
    expect(Math.max(...queue.map((q) => q.length))).toBe(2);
    expect(queue.every((q) => q.backlog === 1)).toBe(true);

    // Delayed: SYNs dropped while the queue was full, sent again by the client's kernel.
    const delayed = ofType(c.events, 'client-connected').filter((e) => (e.synRetries ?? 0) >= 1);
    expect(delayed.length).toBeGreaterThanOrEqual(1);
    for (const e of delayed) {
      expect(e.ms).toBeGreaterThanOrEqual(900); // the first retry comes after ~1 s
      expect(e.explanation).toMatch(/accept queue was full/);
    }
    expect(summary.notes?.find((n) => n.code === 'SYN_RETRY')).toMatchObject({ count: delayed.length });
  });

  it('6. a refused connection exits 1 with the plain explanation', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await runCli(['fire', `http://127.0.0.1:${port}/hello`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Nothing listens on 127.0.0.1 port ${port}`);
    expect(r.stdout).toContain('ECONNREFUSED');
    expect(r.stderr).toBe('');
  });

  it('the --parent-keeps-conn lesson: complete responses, no end-of-file, named', async () => {
    const srv = await startServer(['hello', '--model', 'fork', '--parent-keeps-conn', '--port', '0']);
    const r = await runCli(['fire', `http://127.0.0.1:${srv.port}/hello`, '--clients', '2', '--conns', '2', '--eof-grace', '500', '--json']);
    expect(r.code, r.stderr).toBe(0); // every request got its response ...
    const lines = jsonLines(r.stdout);
    expect(ofType(lines, 'client-done').map((e) => e.status)).toEqual([200, 200, 200, 200]);
    expect(ofType(lines, 'client-eof')).toHaveLength(0); // ... but none saw the server close
    expect(ofType(lines, 'client-error').map((e) => e.code)).toEqual(['NO_EOF', 'NO_EOF', 'NO_EOF', 'NO_EOF']);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'fire-summary', outcomes: { 'no-eof': 4 } });
  });
});
