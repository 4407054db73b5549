// The engine against plain net.Servers written here: real sockets on 127.0.0.1, each server
// misbehaving in one way the client must name.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultFireOptions, fire, fireBurst, fireEvents, fireHold, fireRaw, fireSingle, fireSlow } from '../../server-core/client/engine';
import type { ClientEvent } from '../../server-core/events';
import type { FireOptions } from '../../server-core/client/types';
import { bind, closeQuietly, listen, getsockname, tcpSocket, AF_INET } from '../../server-core/sys/socket';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello';

interface TestServer {
  port: number;
  /** Every connection's received bytes, in accept order. */
  received: Buffer[];
  /** Data chunks per connection. */
  chunks: number[];
  remotePorts: number[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const rawFds: number[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const fd of rawFds.splice(0)) closeQuietly(fd);
});

/** A server whose `onData` decides what to do with each connection once it has a request. */
async function serve(onData: (sock: net.Socket, all: Buffer, state: TestServer) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const state: TestServer = { port: 0, received: [], chunks: [], remotePorts: [], close: async () => undefined };
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    sockets.add(sock);
    const i = state.received.length;
    state.received.push(Buffer.alloc(0));
    state.chunks.push(0);
    state.remotePorts.push(sock.remotePort ?? 0);
    sock.on('data', (d) => {
      state.received[i] = Buffer.concat([state.received[i], d]);
      state.chunks[i]++;
      onData(sock, state.received[i], state);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  servers.push(state);
  return state;
}

const whenRequest = (reply: (sock: net.Socket) => void) => (sock: net.Socket, all: Buffer) => {
  if (all.includes('\r\n\r\n')) reply(sock);
};

function opts(port: number, over: Partial<FireOptions> = {}): FireOptions {
  return defaultFireOptions({ url: `http://127.0.0.1:${port}/hello`, timeoutS: 5, eofGraceMs: 300, ...over });
}

function collect(): { events: ClientEvent[]; sink: (e: ClientEvent) => void; of: <T extends ClientEvent['type']>(t: T) => Extract<ClientEvent, { type: T }>[] } {
  const events: ClientEvent[] = [];
  return {
    events,
    sink: (e) => events.push(e),
    of: <T extends ClientEvent['type']>(t: T) => events.filter((e) => e.type === t) as Extract<ClientEvent, { type: T }>[],
  };
}

describe('client engine', () => {
  it('single: narrates connect → sent → first byte → received → done → eof, on the shared clock', async () => {
    const srv = await serve(whenRequest((s) => s.end(OK)));
    const c = collect();
    const summary = await fireSingle(opts(srv.port, { clients: 3 }), c.sink);
    expect(c.events.map((e) => e.type)).toEqual(['client-connect', 'client-connected', 'client-sent', 'client-first-byte', 'client-received', 'client-done', 'client-eof']);
    expect(srv.received.length).toBe(1); // single ignores --clients
    expect(srv.received[0].toString()).toMatch(/^GET \/hello HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    const connected = c.of('client-connected')[0];
    expect(connected.localPort).toBe(srv.remotePorts[0]);
    expect(connected.synRetries).toBe(0);
    expect(c.of('client-done')[0]).toMatchObject({ status: 200, bytes: 5 });
    expect(c.of('client-sent')[0].data).toBe(srv.received[0].toString());
    for (let i = 1; i < c.events.length; i++) expect(c.events[i].t).toBeGreaterThanOrEqual(c.events[i - 1].t);
    expect(c.events.every((e) => e.pid === process.pid && e.id === 1)).toBe(true);
    expect(summary).toMatchObject({ total: 1, responded: 1, outcomes: { ok: 1 }, statuses: { '200': 1 }, errors: [] });
  });

  it('burst: N clients × M sequential connections; --max-conns really caps open connections', async () => {
    // Requests being served overlap no more than the connections carrying them: a lower bound
    // on open connections that no event-ordering race can inflate.
    const serving = (): { handler: (s: net.Socket, all: Buffer) => void; max: () => number } => {
      let busy = 0;
      let max = 0;
      const handler = whenRequest((s) => {
        max = Math.max(max, ++busy);
        setTimeout(() => {
          busy--;
          s.end(OK);
        }, 40);
      });
      return { handler, max: () => max };
    };
    const a = serving();
    const srv = await serve(a.handler);
    const capped = await fireBurst(opts(srv.port, { clients: 5, conns: 4, maxConns: 2 }), () => undefined);
    expect(capped).toMatchObject({ total: 20, responded: 20, statuses: { '200': 20 } });
    expect(srv.received.length).toBe(20);
    expect(a.max()).toBeLessThanOrEqual(2);
    expect(a.max()).toBe(2);

    const b = serving();
    const srv2 = await serve(b.handler);
    const free = await fireBurst(opts(srv2.port, { clients: 5, conns: 2 }), () => undefined);
    expect(free.responded).toBe(10);
    expect(b.max()).toBeGreaterThan(2); // without the cap the clients do overlap
    expect(b.max()).toBeLessThanOrEqual(5);
  });

  it('burst: --rate spaces connection starts', async () => {
    const srv = await serve(whenRequest((s) => s.end(OK)));
    const c = collect();
    await fireBurst(opts(srv.port, { clients: 3, conns: 2, rate: 20 }), c.sink);
    const starts = c.of('client-connect').map((e) => e.t);
    expect(starts).toHaveLength(6);
    // 6 starts at 20/s: the last is at least 5 × 50 ms after the first (timers may run late, never early).
    expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(240);
  });

  it('refused: nothing listens on the port', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = collect();
    const s = await fireSingle(opts(port), c.sink);
    expect(s).toMatchObject({ total: 1, responded: 0, outcomes: { refused: 1 } });
    expect(c.of('client-error')[0]).toMatchObject({ code: 'ECONNREFUSED' });
    expect(c.of('client-error')[0].explanation).toMatch(new RegExp(`Nothing listens on 127\\.0\\.0\\.1 port ${port}`));
  });

  it('no EOF: a complete response on a connection the server keeps open', async () => {
    const srv = await serve(whenRequest((s) => s.write(OK)));
    const c = collect();
    const s = await fireSingle(opts(srv.port, { eofGraceMs: 200 }), c.sink);
    expect(s.outcomes).toEqual({ 'no-eof': 1 });
    expect(s.responded).toBe(1);
    expect(c.of('client-done')[0].status).toBe(200);
    expect(c.of('client-eof')).toHaveLength(0);
    expect(c.of('client-error')[0]).toMatchObject({ code: 'NO_EOF' });
    expect(c.of('client-error')[0].explanation).toMatch(/--parent-keeps-conn/);
  });

  it('keep-alive chosen by the server is not a missing EOF', async () => {
    const srv = await serve(whenRequest((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')));
    const s = await fireSingle(opts(srv.port, { eofGraceMs: 5000 }), () => undefined);
    expect(s.outcomes).toEqual({ ok: 1 });
    expect(s.ms).toBeLessThan(4000);
  });

  it('reads to end-of-file and chunked bodies', async () => {
    const eof = await serve(whenRequest((s) => s.end('HTTP/1.0 200 OK\r\n\r\nuntil the end')));
    const c = collect();
    expect((await fireSingle(opts(eof.port), c.sink)).outcomes).toEqual({ ok: 1 });
    expect(c.of('client-done')[0].bytes).toBe(13);
    const chunked = await serve(whenRequest((s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')));
    const c2 = collect();
    expect((await fireSingle(opts(chunked.port), c2.sink)).outcomes).toEqual({ ok: 1 });
    expect(c2.of('client-done')[0].bytes).toBe(3);
  });

  it('closed without a response, timeout, reset, invalid reply: each named', async () => {
    const cases: [string, (s: net.Socket) => void, string, string][] = [
      ['closed', (s) => s.end(), 'closed', 'EOF_NO_RESPONSE'],
      ['half', (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), 'closed', 'EOF_EARLY'],
      ['silent', () => undefined, 'timeout', 'TIMEOUT'],
      ['reset', (s) => s.resetAndDestroy(), 'reset', 'ECONNRESET'],
      ['junk', (s) => s.end('SSH-2.0-nope\r\n\r\n'), 'bad-response', 'BAD_RESPONSE'],
    ];
    for (const [name, reply, outcome, code] of cases) {
      const srv = await serve(whenRequest(reply));
      const c = collect();
      const s = await fireSingle(opts(srv.port, { timeoutS: 0.5 }), c.sink);
      expect(s.outcomes, name).toEqual({ [outcome]: 1 });
      expect(s.responded, name).toBe(0);
      expect(c.of('client-error').map((e) => e.code), name).toEqual([code]);
      expect(s.errors[0].explanation.length, name).toBeGreaterThan(20);
    }
  });

  it('raw: sends the bytes exactly as given', async () => {
    const raw = Buffer.from([0x47, 0x45, 0x54, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]);
    const srv = await serve(whenRequest((s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    const c = collect();
    const s = await fireRaw(opts(srv.port, { rawBase64: raw.toString('base64') }), c.sink);
    expect(srv.received[0].equals(raw)).toBe(true);
    expect(s.statuses).toEqual({ '400': 1 });
    expect(c.of('client-sent')[0]).toMatchObject({ bytes: 9, encoding: 'base64', data: raw.toString('base64') });
  });

  it('slow: dribbles one byte per write, --slow 0 too', async () => {
    for (const slowMs of [15, 0]) {
      const srv = await serve(whenRequest((s) => s.end(OK)));
      const c = collect();
      const s = await fireSlow(opts(srv.port, { rawBase64: Buffer.from('GET / HTTP/1.1\r\n\r\n').toString('base64'), slowMs }), c.sink);
      expect(s.outcomes, `slow ${slowMs}`).toEqual({ ok: 1 });
      expect(c.of('client-sent').map((e) => e.bytes)).toEqual(Array(18).fill(1));
      expect(srv.received[0].toString()).toBe('GET / HTTP/1.1\r\n\r\n');
      if (slowMs > 0) expect(srv.chunks[0]).toBeGreaterThanOrEqual(10); // really separate segments
    }
  });

  it('send nothing + hold: the server hears nothing; the client closes after the hold', async () => {
    let ended = 0;
    const server = net.createServer((sock) => {
      const t = performance.now();
      sock.on('data', () => expect.fail('the client sent something'));
      sock.on('end', () => {
        ended = performance.now() - t;
        sock.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const c = collect();
    const s = await fireHold(opts(port, { sendNothing: true, holdS: 0.4 }), c.sink);
    await new Promise<void>((r) => server.close(() => r()));
    expect(s).toMatchObject({ responded: 1, outcomes: { held: 1 }, sentBytes: 0 });
    expect(c.of('client-sent')).toHaveLength(0);
    expect(ended).toBeGreaterThanOrEqual(350);
  });

  it('hold: a burst keeps connections open, and they count against --max-conns', async () => {
    const srv = await serve(whenRequest((s) => s.end(OK)));
    const started = performance.now();
    const s = await fireHold(opts(srv.port, { clients: 2, conns: 2, maxConns: 2, holdS: 0.3 }), () => undefined);
    expect(s.responded).toBe(4);
    expect(performance.now() - started).toBeGreaterThanOrEqual(550); // two waves of a 0.3 s hold
  });

  it('fireEvents: the same run as an async iterator', async () => {
    const srv = await serve(whenRequest((s) => s.end(OK)));
    const run = fireEvents(opts(srv.port, { mode: 'burst', clients: 2, conns: 2 }));
    const types: string[] = [];
    for await (const e of run.events) types.push(e.type);
    expect(types.filter((t) => t === 'client-done')).toHaveLength(4);
    expect((await run.summary).responded).toBe(4);
  });

  it('stops by itself: an abort signal and the overall deadline', async () => {
    const srv = await serve(() => undefined);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const aborted = await fire(opts(srv.port, { mode: 'burst', clients: 2, conns: 3, timeoutS: 30 }), () => undefined, { signal: stop.signal });
    expect(aborted).toMatchObject({ total: 6, outcomes: { aborted: 6 }, responded: 0 });
    expect(aborted.ms).toBeLessThan(5000);

    const c = collect();
    const late = await fire(opts(srv.port, { mode: 'burst', clients: 2, conns: 2, timeoutS: 30, deadlineS: 0.3 }), c.sink);
    expect(late.outcomes).toEqual({ aborted: 4 });
    expect(c.of('client-error').map((e) => e.code)).toEqual(['DEADLINE', 'DEADLINE']);
  });

  it('rejects bad options and remote targets before any traffic', async () => {
    await expect(fire(opts(1, { mode: 'burst', clients: 0 }), () => undefined)).rejects.toThrow(/--clients/);
    await expect(fire(defaultFireOptions({ url: 'http://192.0.2.1:8888/' }), () => undefined)).rejects.toThrow(/--allow-remote/);
  });

  it('SYN retries, read from TCP_INFO, when a listener never accepts and its queue is full', async () => {
    // A raw listening socket with backlog 0 that never accepts: the kernel queues 1 connection
    // and drops further SYNs; the client's kernel sends them again after ~1 s.
    const fd = tcpSocket(AF_INET);
    rawFds.push(fd);
    bind(fd, '127.0.0.1', 0);
    listen(fd, 0);
    const port = getsockname(fd).port;
    const c = collect();
    const s = await fireBurst(opts(port, { clients: 4, conns: 1, timeoutS: 2.5 }), c.sink);
    expect(s.responded).toBe(0);
    const retried = [
      ...c.of('client-connected').filter((e) => (e.synRetries ?? 0) >= 1),
      ...c.of('client-error').filter((e) => e.code === 'CONNECT_TIMEOUT' && !/\(0 sent again\)/.test(e.explanation)),
    ];
    expect(retried.length).toBeGreaterThanOrEqual(1);
    for (const e of c.of('client-connected').filter((x) => (x.synRetries ?? 0) >= 1)) {
      expect(e.ms).toBeGreaterThanOrEqual(900);
      expect(e.explanation).toMatch(/accept queue was full/);
    }
  }, 15_000);
});
