// Keep-alive or not, half-closed clients, clients that leave, apps slower than the read timeout.
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, startHarness, type Harness } from './connection-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const countResponses = (text: string): number => (text.match(/HTTP\/1\.1 200 OK/g) ?? []).length;

describe('connection lifecycle', () => {
  it('without keep-alive: one response, Connection: close, pipelined requests are not served', async () => {
    let calls = 0;
    h = await startHarness((_req, res) => {
      calls++;
      res.end('one');
    });
    const ex = await rawRequest(h.port, ['GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n']);
    await h.settled();
    expect(countResponses(ex.text)).toBe(1);
    expect(ex.text).toMatch(/Connection: close/);
    expect(calls).toBe(1);
    expect(h.of('request').map((r) => r.path)).toEqual(['/a']);
    expect(h.of('error')).toEqual([]);
  });

  it('with keep-alive: several requests on one connection, each narrated; an idle connection closes quietly', async () => {
    h = await startHarness((req, res) => {
      res.end(`you asked ${req.url}`);
    }, { keepAlive: true, limits: { readTimeoutMs: 300 } });
    const sock = createConnection({ port: h.port, host: '127.0.0.1' });
    const got: Buffer[] = [];
    sock.on('data', (c: Buffer) => got.push(c));
    sock.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    sock.write('GET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n');
    const t0 = Date.now();
    await once(sock, 'close');
    await h.settled();
    const text = Buffer.concat(got).toString();
    expect(countResponses(text)).toBe(3);
    expect(text).toMatch(/Connection: keep-alive\r\nKeep-Alive: timeout=\d+/);
    expect(text.endsWith('you asked /3')).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(h.of('request').map((r) => r.path)).toEqual(['/1', '/2', '/3']);
    expect(h.of('response')).toHaveLength(3);
    expect(h.of('error')).toEqual([]);
    expect(h.events.at(-1)?.type).toBe('close');
  });

  it('a client that half-closes after its request still gets the answer', async () => {
    h = await startHarness((_req, res) => {
      setTimeout(() => res.end('late but here'), 50);
    });
    const ex = await rawRequest(h.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { endAfter: true });
    expect(ex.text).toMatch(/\r\n\r\nlate but here$/);
    await h.settled();
    expect(h.of('error')).toEqual([]);
  });

  it('an app slower than the read timeout is not cut off', async () => {
    h = await startHarness(
      (_req, res) => {
        setTimeout(() => res.end('slow'), 500);
      },
      { limits: { readTimeoutMs: 150 } },
    );
    const ex = await rawRequest(h.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect(ex.text).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*slow$/);
    await h.settled();
    expect(h.of('error')).toEqual([]);
  });

  it('a client that resets the connection before the answer: one error event, and serveConnection resolves', async () => {
    h = await startHarness((_req, res) => {
      setTimeout(() => res.end('too late'), 300);
    });
    await rawRequest(h.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { resetAfterMs: 50 });
    await h.settled();
    expect(h.of('error').map((e) => e.code)).toEqual(['ECONNRESET']);
    expect(h.events.at(-1)?.type).toBe('close');
  });

  it('a client that closes (FIN) before the answer is still answered: its close may be a half-close', async () => {
    h = await startHarness((_req, res) => {
      setTimeout(() => res.end('answer'), 100);
    });
    await rawRequest(h.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 20 });
    await h.settled();
    expect(h.of('response').map((r) => r.status)).toEqual([200]);
    expect(h.events.at(-1)?.type).toBe('close');
  });

  it('a client that closes after the answer and never sends more gets no error', async () => {
    h = await startHarness((_req, res) => {
      res.end('bye');
    });
    const sock = createConnection({ port: h.port, host: '127.0.0.1' });
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(sock, 'data');
    sock.resetAndDestroy();
    await h.settled();
    expect(h.of('error')).toEqual([]);
    expect(h.of('close')).toHaveLength(1);
  });

  it('a client that keeps its side open after Connection: close: the server closes at once, like the seed', async () => {
    h = await startHarness((_req, res) => {
      res.end('done');
    }, { limits: { readTimeoutMs: 5_000 } });
    const sock = createConnection({ port: h.port, host: '127.0.0.1', allowHalfOpen: true });
    sock.on('data', () => {});
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(sock, 'end'); // the server's FIN
    const t0 = Date.now();
    // The request was read to its end: no waiting for the client's FIN (nor the read timeout).
    await h.settled();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(h.events.at(-1)?.type).toBe('close');
    sock.destroy();
    expect(h.of('error')).toEqual([]);
  });

  it('bytes the server did not serve (a pipelined request without keep-alive): it lingers for the client\'s FIN instead of resetting', async () => {
    h = await startHarness((_req, res) => {
      res.end('one');
    }, { limits: { readTimeoutMs: 5_000 } });
    const sock = createConnection({ port: h.port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    sock.on('data', (c: Buffer) => (text += c.toString('latin1')));
    sock.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(sock, 'end'); // the server's FIN, after the one response
    let settled = false;
    void h.settled().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false); // still open on the server: a close now could reset the response away
    sock.end();
    await h.settled();
    expect(countResponses(text)).toBe(1);
    expect(h.of('error')).toEqual([]);
  });

  it('a client that keeps sending a refused body is cut after the read timeout, counted from the answer', async () => {
    h = await startHarness(
      (_req, res) => {
        res.end('never');
      },
      { limits: { readTimeoutMs: 300, maxBodyBytes: 100 } },
    );
    const sock = createConnection({ port: h.port, host: '127.0.0.1' });
    sock.on('error', () => {});
    const got: Buffer[] = [];
    sock.on('data', (c: Buffer) => got.push(c));
    sock.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n');
    const feeder = setInterval(() => {
      if (!sock.destroyed) sock.write(Buffer.alloc(1024, 0x61));
    }, 30);
    await once(sock, 'data'); // the 413
    const t0 = Date.now();
    await h.settled();
    clearInterval(feeder);
    sock.destroy();
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(Buffer.concat(got).toString()).toMatch(/^HTTP\/1\.1 413 /);
    expect(h.of('error').map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
  });
});
