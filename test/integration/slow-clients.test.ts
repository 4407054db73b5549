// Issue 15, D3, D4, D5: slow, silent and non-reading clients get deadlines counted from the
// start, not from their last byte, in every model. Meanwhile fork and prefork answer a normal
// request at once; the iterative model (one connection at a time, by design) answers it as
// soon as the slow client's deadline has passed.
import { afterAll, describe, expect, it } from 'vitest';
import { dribble, get, neverRead, sleep, timedGet, type Outcome } from '../helpers/hostile';
import { parseResponse } from '../helpers/raw-http';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

/** --read-timeout for these runs: the whole request head must arrive within it. */
const TIMEOUT_S = 1;
/**
 * Where a normal client is served beside a stuck one: a deadline long enough that "served at
 * once" (fork, prefork: under 2 s, a worker started on a loaded machine included) and "served
 * once the stuck one is cut" (iterative) cannot be mistaken for each other.
 */
const BESIDE_S = 3;
const AT_ONCE_MS = 2_000;
const HEAD = 'GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'x'.repeat(200) + '\r\n\r\n';
/** A header byte every 300 ms: the connection is never idle for the read timeout. */
const EVERY_MS = 300;

/** The connection the client at `localPort` was (a prefork worker's events reach the master's output a moment later). */
async function connOf(run: ServerRun, localPort: number): Promise<number> {
  return (await run.waitFor('accept', (a) => a.peer.port === localPort, 5_000)).conn;
}

/** The server answered 408 and closed, `ms` after the connection began (not after its last byte), and said so. */
async function timedOutAt(run: ServerRun, out: Outcome, ms: number): Promise<void> {
  expect(out.closedByServer).toBe(true);
  expect(out.closedAfterMs).toBeGreaterThan(ms - 100);
  expect(out.closedAfterMs).toBeLessThan(ms + 1_000);
  expect(parseResponse(out.received).status).toBe(408);
  const conn = await connOf(run, out.localPort);
  await run.waitFor('close', (e) => e.conn === conn, 3_000);
  expect(run.of('error').find((e) => e.conn === conn)?.code).toBe('READ_TIMEOUT');
}

async function server(model: string, args: string[] = [], timeoutS = TIMEOUT_S): Promise<ServerRun> {
  const extra = model === 'prefork' ? ['--workers', '2'] : [];
  const run = await startServer(['hello', '--model', model, ...extra, '--port', '0', '--read-timeout', String(timeoutS), ...args]);
  if (model === 'prefork') await run.waitForCount('worker-ready', 2);
  return run;
}

describe.each(['iterative', 'fork', 'prefork'])('--model %s', (model) => {
  it('D3 slowloris: a header byte every 300 ms gets 408 once the read timeout has passed since the connection began', async () => {
    const run = await server(model, [], BESIDE_S);
    const slow = dribble(run.port, HEAD, EVERY_MS, 10_000);
    await sleep(200);
    // A normal client meanwhile.
    const normal = await timedGet(run.port, '/hello');
    expect(normal.status).toBe(200);
    if (model === 'iterative') {
      // One at a time: it waits for the slow client's deadline, and no longer.
      expect(normal.ms).toBeGreaterThan(BESIDE_S * 1000 - 200 - 100);
      expect(normal.ms).toBeLessThan(BESIDE_S * 1000 + 1_000);
    } else expect(normal.ms).toBeLessThan(AT_ONCE_MS);
    await timedOutAt(run, await slow, BESIDE_S * 1000);
    await run.stop();
  });

  it('D3 slow body: a body byte every 300 ms gets 408 once the body deadline has passed since the connection began', async () => {
    const run = await server(model, ['--body-timeout', '1.8']);
    const head = 'POST /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n';
    // The head at once, then the body one byte at a time: never idle, never done.
    await timedOutAt(run, await dribble(run.port, 'b'.repeat(100), EVERY_MS, 10_000, head), 1_800);
    await run.stop();
  });

  it('D4/D5: a client that never reads a large answer is cut once it has taken nothing for the read timeout; others are served meanwhile', async () => {
    const run = await startServer(['stream', '--model', model, ...(model === 'prefork' ? ['--workers', '2'] : []), '--port', '0', '--read-timeout', String(BESIDE_S)]);
    if (model === 'prefork') await run.waitForCount('worker-ready', 2);
    const t0 = performance.now();
    const stuck = await neverRead(run.port, get(`/?bytes=${64 * 1024 * 1024}&chunk=65536`));
    await sleep(300);
    const normal = await timedGet(run.port, '/?bytes=10');
    expect(normal.status).toBe(200);
    if (model === 'iterative') expect(normal.ms).toBeLessThan(BESIDE_S * 1000 + 1_500);
    else expect(normal.ms).toBeLessThan(AT_ONCE_MS);
    const conn = await connOf(run, stuck.localPort);
    const err = await run.waitFor('error', (e) => e.conn === conn, 10_000);
    expect(err.code).toBe('WRITE_TIMEOUT');
    await run.waitFor('close', (e) => e.conn === conn, 3_000);
    expect(performance.now() - t0).toBeLessThan(BESIDE_S * 1000 + 2_500);
    stuck.end();
    await run.stop();
  });
});

it('D4: prefork workers that hold many connections (--worker-connections 16) keep accepting while 20 clients never read a 100 MB answer', async () => {
  const run = await startServer(['stream', '--model', 'prefork', '--workers', '2', '--worker-connections', '16', '--keep-alive', '--port', '0', '--read-timeout', '5']);
  await run.waitForCount('worker-ready', 2);
  const stuck = await Promise.all(Array.from({ length: 20 }, () => neverRead(run.port, get(`/?bytes=${100 * 1024 * 1024}&chunk=65536`))));
  await sleep(500);
  for (let i = 0; i < 4; i++) {
    const probe = await timedGet(run.port, '/?bytes=10', 5_000);
    expect(probe.status).toBe(200);
    expect(probe.ms).toBeLessThan(1_000);
  }
  for (const s of stuck) s.end();
  await run.stop();
});
