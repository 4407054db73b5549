// The direct path (server-core/http/direct.ts): a plain request already received whole is
// served with recv() and send() on the fd; anything else goes to Node's http server. Both
// paths must give a client the same bytes, and the events must say which path served.
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ForkscopeEvent } from '../../server-core/events';
import { parseResponse, rawRequest } from '../helpers/raw-http';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

interface Exchanged {
  received: Buffer;
  localPort: number;
}

/**
 * Sends `request` on a fresh connection and reads until the server closes. With `split`, the
 * first 10 bytes go first and the rest only after the server's `accept` event for this
 * connection: the server has then already looked at the bytes (the look follows the event at
 * once), seen half a request, and left the connection to Node's http server.
 */
async function exchange(run: ServerRun, request: string, split = false): Promise<Exchanged> {
  const afterAccept = async (localPort: number): Promise<void> => {
    await run.waitFor('accept', (e) => e.peer.port === localPort);
    await new Promise((r) => setTimeout(r, 30));
  };
  return exchangeAfter(run, request, split ? afterAccept : null);
}

/** The same, with the second part sent once `between` has resolved (null: the request in one piece). */
async function exchangeAfter(run: ServerRun, request: string, between: ((localPort: number) => Promise<void>) | null): Promise<Exchanged> {
  const parts = between ? [request.slice(0, 10), request.slice(10)] : [request];
  const x = await rawRequest(run.port, parts, { between: between ?? undefined, gapMs: 0, timeoutMs: 10_000 });
  return { received: x.received, localPort: x.localPort };
}

function connOf(run: ServerRun, localPort: number): number {
  const accept = run.of('accept').find((e) => e.peer.port === localPort);
  if (!accept) throw new Error(`no accept for client port ${localPort}`);
  return accept.conn;
}

function eventsOf(run: ServerRun, conn: number): ForkscopeEvent[] {
  return run.events.filter((e) => 'conn' in e && e.conn === conn);
}

async function served(run: ServerRun, x: Exchanged): Promise<{ via: string | undefined; events: ForkscopeEvent[] }> {
  const conn = connOf(run, x.localPort);
  await run.waitFor('close', (e) => e.conn === conn);
  const request = run.of('request').find((e) => e.conn === conn);
  return { via: request?.via, events: eventsOf(run, conn) };
}

const withoutDate = (b: Buffer): string => b.toString('latin1').replace(/\r\nDate: [^\r]*/, '\r\nDate: -');

const get = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: t\r\n${extra}\r\n`;

describe('the direct path gives the same bytes as Node\'s http server', () => {
  const cases: { name: string; app: string; iface: string; request: string }[] = [
    { name: 'GET /hello (WSGI)', app: 'hello', iface: 'wsgi', request: get('/hello') },
    { name: 'HEAD /hello: head only, with its Content-Length', app: 'hello', iface: 'wsgi', request: get('/hello').replace('GET', 'HEAD') },
    { name: 'HTTP/1.0', app: 'hello', iface: 'wsgi', request: 'GET /hello HTTP/1.0\r\nUser-Agent: t\r\n\r\n' },
    { name: 'a POST with a body', app: 'hello', iface: 'wsgi', request: 'POST /x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello' },
    { name: 'a streamed body: chunked', app: 'stream', iface: 'wsgi', request: get('/?bytes=10000&chunk=3000') },
    { name: 'a streamed body to an HTTP/1.0 client: until the close', app: 'stream', iface: 'wsgi', request: 'GET /?bytes=5000&chunk=2000 HTTP/1.0\r\n\r\n' },
    { name: 'an app that throws: 500', app: 'crash', iface: 'wsgi', request: get('/') },
    { name: 'GET /hello (fetch)', app: 'hello', iface: 'fetch', request: get('/hello') },
    { name: 'a streamed body (fetch)', app: 'stream', iface: 'fetch', request: get('/?bytes=9000&chunk=4000') },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const run = await startServer([c.app, '--model', 'iterative', '--interface', c.iface, '--port', '0']);
      const direct = await exchange(run, c.request);
      const viaHttp = await exchange(run, c.request, true);
      expect((await served(run, direct)).via).toBe('direct');
      expect((await served(run, viaHttp)).via).toBe('http');
      expect(direct.received.length).toBeGreaterThan(0);
      expect(withoutDate(direct.received)).toBe(withoutDate(viaHttp.received));
      await run.stop();
    });
  }
});

describe('the direct path', () => {
  it('narrates like the other path: transcript in, request, transcript out, response, close — transcripts equal the wire', async () => {
    const run = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    const request = get('/hello');
    const x = await exchange(run, request);
    const { via, events } = await served(run, x);
    expect(via).toBe('direct');
    expect(events.map((e) => e.type)).toEqual(['accept', 'transcript', 'request', 'transcript', 'response', 'close']);
    const [tin, tout] = events.filter((e) => e.type === 'transcript');
    expect(tin).toMatchObject({ dir: 'in', data: request, truncated: false });
    expect(tout).toMatchObject({ dir: 'out', data: x.received.toString('utf8'), truncated: false });
    const response = events.find((e) => e.type === 'response');
    expect(response).toMatchObject({ status: 200, bytes: 44 });
    await run.stop();
  });

  it('a response larger than the socket takes at once waits for the client to read (POLLOUT) and arrives whole', async () => {
    const run = await startServer(['stream', '--model', 'iterative', '--port', '0']);
    const bytes = 24 * 1024 * 1024;
    const sock = createConnection({ port: run.port, host: '127.0.0.1' });
    await once(sock, 'connect');
    sock.pause(); // the client reads nothing for a while: the kernel's buffers fill up
    sock.write(get(`/?bytes=${bytes}&chunk=65536`));
    await new Promise((r) => setTimeout(r, 500));
    let body = 0;
    sock.on('data', (c: Buffer) => (body += c.length));
    const localPort = sock.localPort ?? 0;
    sock.resume();
    await once(sock, 'close');
    const conn = connOf(run, localPort);
    const response = await run.waitFor('response', (e) => e.conn === conn);
    expect(run.of('request').find((e) => e.conn === conn)?.via).toBe('direct');
    expect(response.bytes).toBe(bytes);
    expect(body).toBeGreaterThan(bytes); // the body plus its head and chunk framing
    const outs = run.of('transcript').filter((e) => e.conn === conn && e.dir === 'out');
    expect(outs.at(-1)?.truncated).toBe(true);
    await run.stop();
  });

  it('a client that takes none of a large answer for the read timeout is cut off (the wait for POLLOUT holds a pool thread)', async () => {
    const run = await startServer(['stream', '--model', 'iterative', '--read-timeout', '0.5', '--port', '0']);
    const sock = createConnection({ port: run.port, host: '127.0.0.1' });
    await once(sock, 'connect');
    sock.on('error', () => {});
    sock.pause(); // and never reads
    sock.write(get(`/?bytes=${24 * 1024 * 1024}&chunk=65536`));
    const conn = (await run.waitFor('accept', (e) => e.peer.port === sock.localPort)).conn;
    const err = await run.waitFor('error', (e) => e.conn === conn, 10_000);
    expect(err.code).toBe('WRITE_TIMEOUT');
    await run.waitFor('close', (e) => e.conn === conn);
    sock.destroy();
    const next = await exchange(run, get('/?bytes=10'));
    expect(parseResponse(next.received).status).toBe(200);
    await run.stop();
  });

  it('pipelined requests are left to Node\'s http server: the first is answered, the second is not served', async () => {
    const run = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    const x = await exchange(run, get('/one') + get('/two'));
    const { via, events } = await served(run, x);
    expect(via).toBe('http');
    expect(events.filter((e) => e.type === 'response')).toHaveLength(1);
    expect(x.received.toString('latin1').match(/HTTP\/1\.1 200/g)).toHaveLength(1);
    await run.stop();
  });

  it('with --keep-alive, a keep-alive request is served directly too (kept.ts), and so is a Connection: close request', async () => {
    const run = await startServer(['hello', '--model', 'iterative', '--keep-alive', '--read-timeout', '0.5', '--port', '0']);
    const kept = await exchange(run, get('/hello'));
    const closed = await exchange(run, get('/hello', 'Connection: close\r\n'));
    expect((await served(run, kept)).via).toBe('direct');
    expect(kept.received.toString('latin1')).toContain('Connection: keep-alive\r\n');
    expect((await served(run, closed)).via).toBe('direct');
    await run.stop();
  });

  it('bytes that come after the request while the app works are not reset away: the server waits for the client to close', async () => {
    const run = await startServer(['slow', '--model', 'iterative', '--port', '0']);
    // allowHalfOpen: the client keeps its side open after the server's FIN, until it ends it.
    const sock = createConnection({ port: run.port, host: '127.0.0.1', allowHalfOpen: true });
    await once(sock, 'connect');
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.write(get('/?ms=300'));
    const conn = (await run.waitFor('request', (e) => e.via === 'direct')).conn;
    sock.write('more bytes nobody asked for');
    const response = await run.waitFor('response', (e) => e.conn === conn);
    await new Promise((r) => setTimeout(r, 100));
    expect(run.of('close').some((e) => e.conn === conn)).toBe(false); // still open: lingering
    sock.end();
    await once(sock, 'close');
    await run.waitFor('close', (e) => e.conn === conn);
    expect(response.status).toBe(200);
    expect(parseResponse(Buffer.concat(chunks)).text).toContain('Hello world');
    expect(run.of('error').filter((e) => e.conn === conn)).toEqual([]);
    await run.stop();
  });

  it('a client that resets while the app works: an error event when the answer is sent, and the next client is served', async () => {
    const run = await startServer(['slow', '--model', 'iterative', '--port', '0']);
    const gone = await rawRequest(run.port, [get('/?ms=300')], { resetAfterMs: 50 });
    const conn = connOf(run, gone.localPort);
    await run.waitFor('close', (e) => e.conn === conn);
    const errors = run.of('error').filter((e) => e.conn === conn);
    expect(errors).toHaveLength(1);
    expect(['ECONNRESET', 'EPIPE']).toContain(errors[0].code);
    expect(run.of('response').some((e) => e.conn === conn)).toBe(false);
    const next = await exchange(run, get('/?ms=0'));
    expect(parseResponse(next.received).status).toBe(200);
    await run.stop();
  });
});

describe('a fork-model worker serves directly too (read(2) and write(2) on fd 3, no koffi)', () => {
  // The second half goes out once the worker is ready: it has then read the first half alone
  // (its first act) and handed it, with the socket, to Node's http server.
  const afterWorkerReady = (run: ServerRun) => async (localPort: number): Promise<void> => {
    const accept = await run.waitFor('accept', (e) => e.peer.port === localPort);
    const fork = await run.waitFor('fork', (e) => e.conn === accept.conn);
    await run.waitFor('worker-ready', (e) => e.pid === fork.child);
    await new Promise((r) => setTimeout(r, 100));
  };
  const cases: { name: string; app: string; request: string }[] = [
    { name: 'GET /hello', app: 'hello', request: get('/hello') },
    { name: 'a streamed body', app: 'stream', request: get('/?bytes=10000&chunk=3000') },
    { name: 'an app that throws: 500', app: 'crash', request: get('/') },
  ];
  for (const c of cases) {
    it(`${c.name}: the same bytes either way, and the request event names the path`, async () => {
      const run = await startServer([c.app, '--model', 'fork', '--port', '0']);
      const direct = await exchangeAfter(run, c.request, null);
      const viaHttp = await exchangeAfter(run, c.request, afterWorkerReady(run));
      const d = await served(run, direct);
      const h = await served(run, viaHttp);
      expect(d.via).toBe('direct');
      expect(h.via).toBe('http');
      // The worker, not the master, read the request.
      const forkOf = (conn: number) => run.of('fork').find((e) => e.conn === conn)?.child;
      const requestOf = (x: Exchanged) => run.of('request').find((e) => e.conn === connOf(run, x.localPort));
      expect(requestOf(direct)?.pid).toBe(forkOf(connOf(run, direct.localPort)));
      expect(withoutDate(direct.received)).toBe(withoutDate(viaHttp.received));
      // The transcript has every byte the client sent, the half read before the handover included.
      const tin = run.of('transcript').filter((e) => e.conn === connOf(run, viaHttp.localPort) && e.dir === 'in').map((e) => e.data).join('');
      expect(tin).toBe(c.request);
      await run.stop();
    });
  }
});
