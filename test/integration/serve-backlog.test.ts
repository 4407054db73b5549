// Acceptance 2 (issue 2), the seed's lesson 3: an iterative server busy in a slow app, with
// `--backlog 3`, and 8 clients connecting at once. The kernel queues backlog + 1 = 4
// completed connections (the `queue` events, from TCP_INFO, say so); further SYNs are
// dropped and those clients' kernels send them again about a second later.
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllServers, startServer } from '../helpers/server';

afterAll(() => killAllServers());

interface ClientResult {
  client: number;
  localPort: number;
  /** connect() → handshake done, ms. ≥ ~1000 means the first SYN was dropped and retried. */
  connectMs: number;
  /** connect() → the whole response, ms. */
  doneMs: number;
  status: number;
}

const SLOW_MS = 1000;
const CLIENTS = 8;
const BACKLOG = 3;

function slowClient(client: number, port: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const r: ClientResult = { client, localPort: 0, connectMs: -1, doneMs: -1, status: 0 };
    let data = '';
    const sock = connect({ host: '127.0.0.1', port });
    sock.setTimeout(45_000, () => sock.destroy(new Error(`client ${client}: no response in 45 s`)));
    sock.on('connect', () => {
      r.connectMs = performance.now() - t0;
      r.localPort = sock.localPort ?? 0;
      sock.write(`GET /slow?ms=${SLOW_MS} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    sock.setEncoding('latin1');
    sock.on('data', (c: string) => (data += c));
    sock.on('end', () => {
      r.doneMs = performance.now() - t0;
      r.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0);
      sock.destroy();
      resolve(r);
    });
    sock.on('error', reject);
  });
}

describe('the accept queue of a busy iterative server', () => {
  it(`holds backlog + 1 = ${BACKLOG + 1} connections; the rest wait for a SYN retry`, async () => {
    const run = await startServer(['slow', '--model', 'iterative', '--backlog', String(BACKLOG), '--port', '0']);
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => slowClient(i + 1, run.port)));
    await run.waitForCount('close', CLIENTS, 30_000);

    // Who was served when: the server's accept order, matched to clients by their local port.
    const accepts = run.of('accept');
    const closes = run.of('close');
    const queue = run.of('queue');
    const first = accepts[0].t;
    const story = results.map((r) => {
      const acc = accepts.find((a) => a.peer.port === r.localPort);
      const served = acc ? accepts.indexOf(acc) + 1 : 0;
      return {
        ...r,
        served,
        acceptedAtMs: acc ? Math.round(acc.t - first) : -1,
        what:
          r.connectMs >= 900
            ? `SYN dropped (queue full), connected after ${Math.round(r.connectMs)} ms by a retry, accepted at ${Math.round(acc ? acc.t - first : 0)} ms; served ${nth(served)}`
            : `connected at once (${Math.round(r.connectMs)} ms), waited ${Math.round(acc ? acc.t - first : 0)} ms in the accept queue; served ${nth(served)}`,
      };
    });
    console.log(
      [
        `queue lengths reported: ${queue.map((q) => q.length).join(' → ')}`,
        ...story
          .sort((a, b) => a.served - b.served)
          .map((s) => `client ${s.client} (port ${s.localPort}): ${s.what}; response ${s.status} after ${Math.round(s.doneMs)} ms`),
      ].join('\n'),
    );

    // Everyone got an answer, one at a time.
    expect(results.map((r) => r.status)).toEqual(Array(CLIENTS).fill(200));
    expect(accepts).toHaveLength(CLIENTS);
    for (let i = 1; i < accepts.length; i++) {
      const prevClose = closes.find((c) => c.conn === accepts[i - 1].conn)!;
      expect(accepts[i].t).toBeGreaterThanOrEqual(prevClose.t); // iterative: the next accept only after the close
    }
    expect(new Set(story.map((s) => s.served))).toEqual(new Set(Array.from({ length: CLIENTS }, (_, i) => i + 1)));

    // The queue, read from the kernel, reached backlog + 1 and never more.
    expect(queue.every((q) => q.backlog === BACKLOG)).toBe(true);
    expect(Math.max(...queue.map((q) => q.length))).toBe(BACKLOG + 1);

    // 8 clients, room for 1 being served + 4 queued: the others' first SYN was dropped.
    const retried = story.filter((s) => s.connectMs >= 900);
    expect(retried.length).toBeGreaterThanOrEqual(CLIENTS - 1 - (BACKLOG + 1) - 1);
    // Served strictly one by one: the last response comes ≥ 8 × the app's time after the first connect.
    expect(Math.max(...results.map((r) => r.doneMs))).toBeGreaterThan(CLIENTS * SLOW_MS * 0.95);

    expect((await run.stop()).code).toBe(0);
  });
});

function nth(n: number): string {
  return n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}
