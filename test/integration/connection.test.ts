// The connection state machine (server-core/http/connection.ts), served by the real
// `forkscope serve`: recv → parse → app → sendall → close, kept alive when asked, in every
// model. Its answers must be the bytes Node's http server gives for the same app (node-http.ts,
// run here in-process as the reference), one request at a time and kept alive; and it must
// narrate each connection the same way wherever it runs.
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadApp } from '../../server-core/app-loader';
import type { ForkscopeEvent, Interface } from '../../server-core/events';
import { startHarness } from '../unit/connection-harness';
import { parseResponse, rawRequest } from '../helpers/raw-http';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

const get = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: t\r\n${extra}\r\n`;
const withoutDate = (b: Buffer): string => b.toString('latin1').replace(/\r\nDate: [^\r]*/g, '\r\nDate: -');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const eventsOf = (run: ServerRun, conn: number): ForkscopeEvent[] => run.events.filter((e) => 'conn' in e && e.conn === conn);

interface Session {
  sock: Socket;
  conn: number;
  received: () => Buffer;
  closed: Promise<unknown>;
}

/** Opens a connection and waits for the server's `accept` of it. */
async function open(port: number, run?: ServerRun): Promise<Session> {
  const sock = createConnection({ port, host: '127.0.0.1' });
  await once(sock, 'connect');
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('error', () => {});
  const closed = once(sock, 'close');
  const conn = run ? (await run.waitFor('accept', (e) => e.peer.port === sock.localPort)).conn : 0;
  return { sock, conn, received: () => Buffer.concat(chunks), closed };
}

/** Sends each request once the answer to the one before has come; then ends and reads until the server closes. */
async function converse(port: number, requests: string[]): Promise<Buffer> {
  const s = await open(port);
  let answers = 0;
  for (const r of requests) {
    s.sock.write(r);
    const want = ++answers;
    const deadline = Date.now() + 5_000;
    while ((s.received().toString('latin1').match(/HTTP\/1\.[01] \d{3}/g)?.length ?? 0) < want && Date.now() < deadline) await sleep(5);
    await sleep(20);
  }
  s.sock.end();
  await s.closed;
  return s.received();
}

/** Node's http server serving the same app, in this process: the reference. */
async function nodeReference(app: string, iface: Interface, keepAlive: boolean) {
  const loaded = await loadApp(app, iface, { serverName: 'localhost', serverPort: 0, multiprocess: false, runOnce: false });
  return startHarness(loaded.handler, { keepAlive, iface });
}

describe('the same bytes as Node\'s http server', () => {
  const cases: { name: string; app: string; iface: Interface; request: string }[] = [
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
      const ref = await nodeReference(c.app, c.iface, false);
      const ours = await rawRequest(run.port, [c.request], { timeoutMs: 10_000 });
      const theirs = await rawRequest(ref.port, [c.request], { timeoutMs: 10_000 });
      expect(ours.received.length).toBeGreaterThan(0);
      expect(withoutDate(ours.received)).toBe(withoutDate(theirs.received));
      await ref.close();
      await run.stop();
    });
  }

  const kept: { name: string; app: string; iface?: Interface; requests: string[] }[] = [
    { name: 'kept alive: three GETs, the last with Connection: close', app: 'hello', requests: [get('/a'), get('/b?x=1'), get('/c', 'Connection: close\r\n')] },
    { name: 'kept alive: HEAD between GETs', app: 'hello', requests: [get('/a'), get('/a').replace('GET', 'HEAD'), get('/b')] },
    { name: 'kept alive: HTTP/1.0 asking for keep-alive (the app gives a length)', app: 'hello', requests: ['GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 'GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'] },
    { name: 'kept alive: HTTP/1.0 keep-alive with a streamed body: closed after it', app: 'stream', requests: ['GET /?bytes=5000&chunk=2000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'] },
    { name: 'kept alive: chunked bodies', app: 'stream', requests: [get('/?bytes=7000&chunk=3000'), get('/?bytes=100&chunk=60')] },
    { name: 'kept alive: an app that throws: 500 and close', app: 'crash', requests: [get('/')] },
    { name: "kept alive: an app's own Keep-Alive, then its own Connection: close", app: 'test/fixtures/connection-headers.mjs', iface: 'fetch', requests: [get('/keep-alive'), get('/close')] },
  ];
  for (const c of kept) {
    it(c.name, async () => {
      const iface = c.iface ?? 'wsgi';
      const run = await startServer([c.app, '--interface', iface, '--model', 'iterative', '--keep-alive', '--port', '0']);
      const ref = await nodeReference(c.app, iface, true);
      const ours = await converse(run.port, c.requests);
      const theirs = await converse(ref.port, c.requests);
      expect(ours.length).toBeGreaterThan(0);
      expect(withoutDate(ours)).toBe(withoutDate(theirs));
      await ref.close();
      await run.stop();
    });
  }
});

describe('one connection, narrated', () => {
  it('transcript in, request, transcript out, response, close — transcripts equal the wire', async () => {
    const run = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    const request = get('/hello');
    const x = await rawRequest(run.port, [request]);
    const conn = (await run.waitFor('accept', (e) => e.peer.port === x.localPort)).conn;
    await run.waitFor('close', (e) => e.conn === conn);
    const events = eventsOf(run, conn);
    expect(events.map((e) => e.type)).toEqual(['accept', 'transcript', 'request', 'transcript', 'response', 'close']);
    const [tin, tout] = events.filter((e) => e.type === 'transcript');
    expect(tin).toMatchObject({ dir: 'in', data: request, truncated: false });
    expect(tout).toMatchObject({ dir: 'out', data: x.received.toString('utf8'), truncated: false });
    expect(events.find((e) => e.type === 'response')).toMatchObject({ status: 200, bytes: 44 });
    expect(run.of('request').find((e) => e.conn === conn)?.via).toBe('direct');
    await run.stop();
  });

  it('a request that arrives in pieces is read as they come: the same answer, the transcript whole', async () => {
    const run = await startServer(['echo', '--model', 'iterative', '--port', '0']);
    const request = 'POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world';
    const x = await rawRequest(run.port, [request.slice(0, 7), request.slice(7, 30), request.slice(30)], { gapMs: 60 });
    expect(JSON.parse(parseResponse(x.received).text)).toMatchObject({ input: 'hello world' });
    const conn = (await run.waitFor('accept', (e) => e.peer.port === x.localPort)).conn;
    await run.waitFor('close', (e) => e.conn === conn);
    const tin = run.of('transcript').filter((e) => e.conn === conn && e.dir === 'in').map((e) => e.data).join('');
    expect(tin).toBe(request);
    await run.stop();
  });

  it('kept alive, in a pool worker: each request narrated, then one close; the client sees Keep-Alive', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '1', '--worker-connections', '2', '--keep-alive', '--port', '0']);
    await run.waitForCount('worker-ready', 1);
    const s = await open(run.port, run);
    for (const path of ['/1', '/2']) {
      s.sock.write(get(path));
      await run.waitFor('response', (e) => e.conn === s.conn && run.of('response').filter((r) => r.conn === s.conn).length === Number(path.slice(1)));
    }
    s.sock.end();
    await s.closed;
    await run.waitFor('close', (e) => e.conn === s.conn);
    const types = eventsOf(run, s.conn).map((e) => e.type);
    expect(types).toEqual(['accept', 'transcript', 'request', 'transcript', 'response', 'transcript', 'request', 'transcript', 'response', 'close']);
    expect(s.received().toString('latin1')).toContain('Connection: keep-alive\r\nKeep-Alive: timeout=10\r\n');
    await run.stop();
  });

  it('a response larger than the socket takes at once waits for the client to read (POLLOUT) and arrives whole', async () => {
    const run = await startServer(['stream', '--model', 'iterative', '--port', '0']);
    const bytes = 24 * 1024 * 1024;
    const s = await open(run.port, run);
    s.sock.pause(); // the client reads nothing for a while: the kernel's buffers fill up
    s.sock.write(get(`/?bytes=${bytes}&chunk=65536`));
    await sleep(500);
    let body = 0;
    s.sock.on('data', (c: Buffer) => (body += c.length));
    s.sock.resume();
    await s.closed;
    const response = await run.waitFor('response', (e) => e.conn === s.conn);
    expect(response.bytes).toBe(bytes);
    expect(body).toBeGreaterThan(bytes); // the body plus its head and chunk framing
    expect(run.of('transcript').filter((e) => e.conn === s.conn && e.dir === 'out').at(-1)?.truncated).toBe(true);
    await run.stop();
  });
});

describe('pipelining, lingering, resets', () => {
  it('without keep-alive, pipelined requests: the first is answered, the rest are not served', async () => {
    const run = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    const x = await rawRequest(run.port, [get('/one') + get('/two')]);
    const conn = (await run.waitFor('accept', (e) => e.peer.port === x.localPort)).conn;
    await run.waitFor('close', (e) => e.conn === conn);
    expect(run.of('response').filter((e) => e.conn === conn)).toHaveLength(1);
    expect(x.received.toString('latin1').match(/HTTP\/1\.1 200/g)).toHaveLength(1);
    await run.stop();
  });

  it('with keep-alive, requests pipelined behind a slow one are answered in order', async () => {
    const run = await startServer(['slow', '--model', 'iterative', '--keep-alive', '--port', '0']);
    const s = await open(run.port, run);
    s.sock.write(get('/?ms=200'));
    await run.waitFor('request', (e) => e.conn === s.conn);
    // Two more at once, and the client's FIN, while the first is still being answered.
    s.sock.end(get('/?ms=0&n=2') + get('/?ms=0&n=3', 'Connection: close\r\n'));
    await s.closed;
    await run.waitFor('close', (e) => e.conn === s.conn);
    expect(s.received().toString('latin1').match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
    expect(run.of('request').filter((e) => e.conn === s.conn).map((e) => e.path)).toEqual(['/?ms=200', '/?ms=0&n=2', '/?ms=0&n=3']);
    const tin = run.of('transcript').filter((e) => e.conn === s.conn && e.dir === 'in').map((e) => e.data).join('');
    expect(tin).toBe(get('/?ms=200') + get('/?ms=0&n=2') + get('/?ms=0&n=3', 'Connection: close\r\n'));
    await run.stop();
  });

  it('bad input after a good request on a kept connection: 400, and the connection closes', async () => {
    const run = await startServer(['hello', '--model', 'iterative', '--keep-alive', '--port', '0']);
    const s = await open(run.port, run);
    s.sock.write(get('/ok'));
    await run.waitFor('response', (e) => e.conn === s.conn);
    s.sock.write('BREW /pot HTCPCP/1.0\r\n\r\n');
    await s.closed;
    await run.waitFor('close', (e) => e.conn === s.conn);
    const text = s.received().toString('latin1');
    expect(text.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(text).toContain('HTTP/1.1 400 Bad Request');
    expect(run.of('error').find((e) => e.conn === s.conn)?.status).toBe(400);
    await run.stop();
  });

  it('an idle kept connection is closed quietly after the read timeout; a silent one gets 408', async () => {
    const run = await startServer(['hello', '--model', 'iterative', '--keep-alive', '--read-timeout', '0.3', '--port', '0']);
    const s = await open(run.port, run);
    s.sock.write(get('/'));
    const response = await run.waitFor('response', (e) => e.conn === s.conn);
    await s.closed;
    // On the server's own clock: the test reads its events later than they happen on a busy machine.
    const closed = await run.waitFor('close', (e) => e.conn === s.conn);
    expect(closed.t - response.t).toBeGreaterThanOrEqual(250);
    expect(run.of('error').filter((e) => e.conn === s.conn)).toEqual([]);
    const silent = await open(run.port, run);
    await silent.closed;
    expect(parseResponse(silent.received()).status).toBe(408);
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
    const conn = (await run.waitFor('request')).conn;
    sock.write('more bytes nobody asked for');
    const response = await run.waitFor('response', (e) => e.conn === conn);
    await sleep(100);
    expect(run.of('close').some((e) => e.conn === conn)).toBe(false); // still open: lingering
    sock.end();
    await once(sock, 'close');
    await run.waitFor('close', (e) => e.conn === conn);
    expect(response.status).toBe(200);
    expect(parseResponse(Buffer.concat(chunks)).text).toContain('Hello world');
    expect(run.of('error').filter((e) => e.conn === conn)).toEqual([]);
    await run.stop();
  });

  it('a client that resets while the app works: one error when the answer is sent, and the next client is served', async () => {
    const run = await startServer(['slow', '--model', 'iterative', '--port', '0']);
    const gone = await rawRequest(run.port, [get('/?ms=300')], { resetAfterMs: 50 });
    const conn = (await run.waitFor('accept', (e) => e.peer.port === gone.localPort)).conn;
    await run.waitFor('close', (e) => e.conn === conn);
    const errors = run.of('error').filter((e) => e.conn === conn);
    expect(errors).toHaveLength(1);
    expect(['ECONNRESET', 'EPIPE']).toContain(errors[0].code);
    expect(run.of('response').some((e) => e.conn === conn)).toBe(false);
    const next = await rawRequest(run.port, [get('/?ms=0')]);
    expect(parseResponse(next.received).status).toBe(200);
    await run.stop();
  });
});

describe('a fork-model worker runs the same loop on fd 3 (read(2) and write(2) through fs, no koffi)', () => {
  const cases: { name: string; app: string; request: string }[] = [
    { name: 'GET /hello', app: 'hello', request: get('/hello') },
    { name: 'a streamed body', app: 'stream', request: get('/?bytes=10000&chunk=3000') },
    { name: 'an app that throws: 500', app: 'crash', request: get('/') },
  ];
  for (const c of cases) {
    it(`${c.name}: Node's bytes, read by the worker — in one piece or in two`, async () => {
      const run = await startServer([c.app, '--model', 'fork', '--port', '0']);
      const ref = await nodeReference(c.app, 'wsgi', false);
      const whole = await rawRequest(run.port, [c.request], { timeoutMs: 10_000 });
      // The second half once the worker is ready: it has read the first half alone by then.
      const split = await rawRequest(run.port, [c.request.slice(0, 10), c.request.slice(10)], {
        gapMs: 0,
        timeoutMs: 10_000,
        between: async (localPort) => {
          const accept = await run.waitFor('accept', (e) => e.peer.port === localPort);
          const fork = await run.waitFor('fork', (e) => e.conn === accept.conn);
          await run.waitFor('worker-ready', (e) => e.pid === fork.child);
          await sleep(100);
        },
      });
      const theirs = await rawRequest(ref.port, [c.request]);
      expect(withoutDate(whole.received)).toBe(withoutDate(theirs.received));
      expect(withoutDate(split.received)).toBe(withoutDate(theirs.received));
      for (const x of [whole, split]) {
        const conn = (await run.waitFor('accept', (e) => e.peer.port === x.localPort)).conn;
        await run.waitFor('close', (e) => e.conn === conn);
        // The worker, not the master, read the request.
        const worker = run.of('fork').find((e) => e.conn === conn)?.child;
        expect(run.of('request').find((e) => e.conn === conn)?.pid).toBe(worker);
        const tin = run.of('transcript').filter((e) => e.conn === conn && e.dir === 'in').map((e) => e.data).join('');
        expect(tin).toBe(c.request);
      }
      await ref.close();
      await run.stop();
    });
  }
});

describe('prefork workers take turns with connections', () => {
  it('8 kept-alive connections opened at once are spread over 2 workers (--worker-connections 8)', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '2', '--worker-connections', '8', '--keep-alive', '--port', '0']);
    await run.waitForCount('worker-ready', 2);
    const sessions = await Promise.all(Array.from({ length: 8 }, () => open(run.port, run)));
    for (const s of sessions) s.sock.write(get('/'));
    await run.waitForCount('response', 8);
    const byWorker = new Map<number, number>();
    for (const e of run.of('accept')) byWorker.set(e.pid, (byWorker.get(e.pid) ?? 0) + 1);
    expect(byWorker.size).toBe(2);
    expect(Math.min(...byWorker.values())).toBeGreaterThanOrEqual(2);
    for (const s of sessions) s.sock.end();
    await run.stop();
  });
});
