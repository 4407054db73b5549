// Keep-alive on the direct path (server-core/http/kept.ts): request after request on one
// connection, each read whole and answered without Node's http objects, the connection read
// again by libuv between them. A client must get the same bytes as from Node's http server,
// and anything the direct path does not serve is handed to Node's server, losing nothing.
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ForkscopeEvent } from '../../server-core/events';
import { parseResponse } from '../helpers/raw-http';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

const get = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: t\r\n${extra}\r\n`;
const withoutDate = (b: Buffer): string => b.toString('latin1').replace(/\r\nDate: [^\r]*/g, '\r\nDate: -');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Session {
  sock: Socket;
  conn: number;
  received: () => Buffer;
  closed: Promise<unknown>;
}

/**
 * Opens a connection and waits for the server's `accept`. With `firstBytes`, those are sent
 * at once and the rest of the first request only after the accept: the server has then seen
 * half a request and left the connection to Node's http server.
 */
async function open(run: ServerRun, firstBytes?: string): Promise<Session> {
  const sock = createConnection({ port: run.port, host: '127.0.0.1' });
  await once(sock, 'connect');
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('error', () => {});
  const closed = once(sock, 'close');
  if (firstBytes) sock.write(firstBytes);
  const conn = (await run.waitFor('accept', (e) => e.peer.port === sock.localPort)).conn;
  if (firstBytes) await sleep(50);
  return { sock, conn, received: () => Buffer.concat(chunks), closed };
}

/** Sends each request once the answer to the one before is out; resolves when the server has closed. */
async function converse(run: ServerRun, requests: string[], split = false): Promise<{ conn: number; received: Buffer }> {
  const s = await open(run, split ? requests[0].slice(0, 10) : undefined);
  for (const [i, r] of requests.entries()) {
    s.sock.write(split && i === 0 ? r.slice(10) : r);
    await run.waitFor('response', (e) => e.conn === s.conn && run.of('response').filter((x) => x.conn === s.conn).length > i);
    await sleep(20);
  }
  s.sock.end();
  await s.closed;
  await run.waitFor('close', (e) => e.conn === s.conn);
  return { conn: s.conn, received: s.received() };
}

const eventsOf = (run: ServerRun, conn: number): ForkscopeEvent[] => run.events.filter((e) => 'conn' in e && e.conn === conn);
const viaOf = (run: ServerRun, conn: number): (string | undefined)[] => run.of('request').filter((e) => e.conn === conn).map((e) => e.via);

describe('a kept-alive connection gets the same bytes from the direct path as from Node\'s http server', () => {
  const cases: { name: string; app: string; iface?: string; requests: string[] }[] = [
    { name: 'three GETs, the last with Connection: close', app: 'hello', requests: [get('/a'), get('/b?x=1'), get('/c', 'Connection: close\r\n')] },
    { name: 'HEAD between GETs', app: 'hello', requests: [get('/a'), get('/a').replace('GET', 'HEAD'), get('/b')] },
    { name: 'HTTP/1.0 asking for keep-alive (the app gives a length)', app: 'hello', requests: ['GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 'GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'] },
    { name: 'HTTP/1.0 keep-alive with a streamed body: closed after it', app: 'stream', requests: ['GET /?bytes=5000&chunk=2000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'] },
    { name: 'chunked bodies, kept alive', app: 'stream', requests: [get('/?bytes=7000&chunk=3000'), get('/?bytes=100&chunk=60')] },
    { name: 'POSTs with bodies', app: 'echo', requests: ['POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello', 'POST /y HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc'] },
    { name: 'an app that throws: 500 and close', app: 'crash', requests: [get('/')] },
    { name: 'an app\'s own Keep-Alive, then its own Connection: close', app: 'test/fixtures/connection-headers.mjs', iface: 'fetch', requests: [get('/keep-alive'), get('/close')] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const run = await startServer([c.app, '--interface', c.iface ?? 'wsgi', '--model', 'iterative', '--keep-alive', '--port', '0']);
      const direct = await converse(run, c.requests);
      const viaHttp = await converse(run, c.requests, true);
      expect(viaOf(run, direct.conn).every((v) => v === 'direct')).toBe(true);
      expect(viaOf(run, viaHttp.conn).every((v) => v === 'http')).toBe(true);
      expect(direct.received.length).toBeGreaterThan(0);
      // The echo app's answer names the client's port, which differs.
      const norm = (b: Buffer): string => withoutDate(b).replace(/REMOTE_PORT[^\n]*\n/g, '');
      expect(norm(direct.received)).toBe(norm(viaHttp.received));
      await run.stop();
    });
  }
});

describe('keep-alive on the direct path', () => {
  it('narrates each request like the other path, then one close; the client sees Keep-Alive', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '1', '--keep-alive', '--port', '0']);
    const x = await converse(run, [get('/1'), get('/2')]);
    const types = eventsOf(run, x.conn).map((e) => e.type);
    expect(types).toEqual(['accept', 'transcript', 'request', 'transcript', 'response', 'transcript', 'request', 'transcript', 'response', 'close']);
    expect(viaOf(run, x.conn)).toEqual(['direct', 'direct']);
    const text = x.received.toString('latin1');
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(text).toContain('Connection: keep-alive\r\nKeep-Alive: timeout=10\r\n');
    const tin = run.of('transcript').filter((e) => e.conn === x.conn && e.dir === 'in').map((e) => e.data).join('');
    expect(tin).toBe(get('/1') + get('/2'));
    await run.stop();
  });

  it('pipelined requests behind a slow one go to Node\'s http server, and every one is answered in order', async () => {
    const run = await startServer(['slow', '--model', 'prefork', '--workers', '1', '--keep-alive', '--port', '0']);
    const s = await open(run);
    s.sock.write(get('/?ms=200'));
    await run.waitFor('request', (e) => e.conn === s.conn);
    // Two more at once, and the client's FIN, while the first is still being answered.
    s.sock.end(get('/?ms=0&n=2') + get('/?ms=0&n=3', 'Connection: close\r\n'));
    await s.closed;
    await run.waitFor('close', (e) => e.conn === s.conn);
    const text = s.received().toString('latin1');
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
    expect(viaOf(run, s.conn)).toEqual(['direct', 'http', 'http']);
    expect(run.of('request').filter((e) => e.conn === s.conn).map((e) => e.path)).toEqual(['/?ms=200', '/?ms=0&n=2', '/?ms=0&n=3']);
    const tin = run.of('transcript').filter((e) => e.conn === s.conn && e.dir === 'in').map((e) => e.data).join('');
    expect(tin).toBe(get('/?ms=200') + get('/?ms=0&n=2') + get('/?ms=0&n=3', 'Connection: close\r\n'));
    await run.stop();
  });

  it('bad input after a good request: Node\'s http server answers it (400) and closes', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '1', '--keep-alive', '--port', '0']);
    const s = await open(run);
    s.sock.write(get('/ok'));
    await run.waitFor('response', (e) => e.conn === s.conn);
    s.sock.write('BREW /pot HTCPCP/1.0\r\n\r\n');
    await s.closed;
    const close = await run.waitFor('close', (e) => e.conn === s.conn);
    expect(close.conn).toBe(s.conn);
    const text = s.received().toString('latin1');
    expect(text.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(text).toContain('HTTP/1.1 400 Bad Request');
    expect(run.of('error').find((e) => e.conn === s.conn)?.status).toBe(400);
    await run.stop();
  });

  it('an idle kept connection is closed quietly after the read timeout', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '1', '--keep-alive', '--read-timeout', '0.3', '--port', '0']);
    const s = await open(run);
    s.sock.write(get('/'));
    await run.waitFor('response', (e) => e.conn === s.conn);
    const t0 = Date.now();
    await s.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await run.waitFor('close', (e) => e.conn === s.conn);
    expect(run.of('error').filter((e) => e.conn === s.conn)).toEqual([]);
    await run.stop();
  });

  it('a connection whose request comes late is served directly; one that never sends gets 408', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '1', '--read-timeout', '0.4', '--port', '0']);
    const late = await open(run);
    await sleep(100);
    late.sock.write(get('/late'));
    await late.closed;
    await run.waitFor('close', (e) => e.conn === late.conn);
    expect(parseResponse(late.received()).status).toBe(200);
    expect(viaOf(run, late.conn)).toEqual(['direct']);
    const silent = await open(run);
    await silent.closed;
    await run.waitFor('close', (e) => e.conn === silent.conn);
    expect(parseResponse(silent.received()).status).toBe(408);
    expect(run.of('error').find((e) => e.conn === silent.conn)?.code).toBe('READ_TIMEOUT');
    await run.stop();
  });

  it('a client that resets while the app works: CLIENT_GONE or a socket error, said once; the worker serves on', async () => {
    const run = await startServer(['slow', '--model', 'prefork', '--workers', '1', '--keep-alive', '--port', '0']);
    const s = await open(run);
    s.sock.write(get('/?ms=300'));
    await run.waitFor('request', (e) => e.conn === s.conn);
    s.sock.resetAndDestroy();
    await run.waitFor('close', (e) => e.conn === s.conn);
    const errors = run.of('error').filter((e) => e.conn === s.conn);
    expect(errors).toHaveLength(1);
    expect(['CLIENT_GONE', 'ECONNRESET', 'EPIPE']).toContain(errors[0].code);
    const next = await converse(run, [get('/?ms=0', 'Connection: close\r\n')]);
    expect(parseResponse(next.received).status).toBe(200);
    await run.stop();
  });
});

describe('prefork workers take turns with connections', () => {
  it('8 kept-alive connections opened at once are spread over 2 workers', async () => {
    const run = await startServer(['hello', '--model', 'prefork', '--workers', '2', '--keep-alive', '--port', '0']);
    await run.waitForCount('worker-ready', 2);
    const sessions = await Promise.all(Array.from({ length: 8 }, () => open(run)));
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
