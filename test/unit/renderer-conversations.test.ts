// Connections joined across client and server by port, and shown curl -v style.
import { describe, expect, it } from 'vitest';
import { Conversations } from '../../src-renderer/store/conversations';
import { requestLine, statusLine, transcriptLines } from '../../src-renderer/panels/transcript';
import { Clock, oneRequest, SUPERVISOR } from './renderer-fixtures';

describe('Conversations', () => {
  it('joins the client side and the server side of one connection by port', () => {
    const c = new Clock();
    const convs = new Conversations();
    for (const e of oneRequest(c, 0, 7, 301, 51000)) convs.apply(e);
    expect(convs.size).toBe(1);
    const conv = convs.list()[0];
    expect(conv.conn).toBe(7);
    expect(conv.clientId).toBe(0);
    expect(conv.worker).toBe(301);
    expect(conv.localPort).toBe(51000);
    expect(requestLine(conv)).toBe('GET /hello HTTP/1.1');
    expect(statusLine(conv)).toBe('HTTP/1.1 200 OK');
    const text = transcriptLines(conv).map((l) => (l.kind === 'body' ? l.text : `${l.kind} ${l.text}`));
    expect(text).toContain('> GET /hello HTTP/1.1');
    expect(text).toContain('< HTTP/1.1 200 OK');
    expect(text).toContain('Hello world from a simple WSGI application!\n');
    expect(text.some((l) => l.startsWith('* Worker pid 301 started'))).toBe(true);
    expect(text.some((l) => l.startsWith('* Worker ready 35 ms after its spawn'))).toBe(true);
    expect(text.some((l) => l.startsWith('* Server closed the connection (EOF)'))).toBe(true);
  });

  it('merges when the accept is seen before the handshake completes', () => {
    const c = new Clock();
    const convs = new Conversations();
    convs.apply(c.ev('client-connect', { pid: SUPERVISOR, id: 3, host: '127.0.0.1', port: 40000 }));
    convs.apply(c.ev('accept', { conn: 1, peer: { address: '127.0.0.1', port: 52000 } }));
    convs.apply(c.ev('client-connected', { pid: SUPERVISOR, id: 3, localPort: 52000, ms: 1, synRetries: 1, explanation: 'the queue was full' }));
    convs.apply(c.ev('client-done', { pid: SUPERVISOR, id: 3, status: 200, bytes: 2, ms: 5 }));
    expect(convs.size).toBe(1);
    const conv = convs.list()[0];
    expect(conv).toMatchObject({ conn: 1, clientId: 3, synRetries: 1, connectNote: 'the queue was full', clientStatus: 200 });
  });

  it('tracks who waits in the accept queue and who is still connecting', () => {
    const c = new Clock();
    const convs = new Conversations();
    convs.apply(c.ev('client-connect', { pid: SUPERVISOR, id: 0, host: '127.0.0.1', port: 40000 }));
    convs.apply(c.ev('client-connect', { pid: SUPERVISOR, id: 1, host: '127.0.0.1', port: 40000 }));
    convs.apply(c.ev('client-connected', { pid: SUPERVISOR, id: 0, localPort: 53000, ms: 0.2 }));
    let q = convs.queueView();
    expect(q.waiting.map((x) => x.localPort)).toEqual([53000]);
    expect(q.connecting.map((x) => x.clientId)).toEqual([1]);
    convs.apply(c.ev('accept', { conn: 1, peer: { address: '127.0.0.1', port: 53000 } }));
    convs.apply(c.ev('client-error', { pid: SUPERVISOR, id: 1, code: 'ETIMEDOUT', explanation: 'gave up' }));
    q = convs.queueView();
    expect(q.waiting).toEqual([]);
    expect(q.connecting).toEqual([]);
  });

  it('opens a new record when a later fire reuses client ids', () => {
    const c = new Clock();
    const convs = new Conversations();
    for (const e of oneRequest(c, 0, 1, 301, 51001)) convs.apply(e);
    for (const e of oneRequest(c, 0, 2, 302, 51002)) convs.apply(e);
    expect(convs.list().map((x) => [x.clientId, x.conn, x.worker])).toEqual([
      [0, 1, 301],
      [0, 2, 302],
    ]);
  });

  it('shows a connection from another client (no client events) from the server’s bytes', () => {
    const c = new Clock();
    const convs = new Conversations();
    convs.apply(c.ev('accept', { conn: 9, peer: { address: '127.0.0.1', port: 54000 } }));
    convs.apply(c.ev('transcript', { conn: 9, dir: 'in', data: 'GET /x HTTP/1.0\r\n\r\n', encoding: 'utf8', truncated: false }));
    convs.apply(c.ev('transcript', { conn: 9, dir: 'out', data: btoa('HTTP/1.0 404 Not Found\r\n\r\n\u0001'), encoding: 'base64', truncated: true }));
    convs.apply(c.ev('close', { conn: 9 }));
    const conv = convs.list()[0];
    expect(requestLine(conv)).toBe('GET /x HTTP/1.0');
    expect(statusLine(conv)).toBe('HTTP/1.0 404 Not Found');
    const lines = transcriptLines(conv);
    expect(lines.find((l) => l.kind === 'body')?.text).toBe('\\x01');
    expect(lines.some((l) => l.text.includes('truncated'))).toBe(true);
  });

  it('keeps full transcripts for the newest connections only', () => {
    const c = new Clock();
    const convs = new Conversations();
    const big = 'x'.repeat(10_000);
    for (let i = 0; i < 210; i++) {
      convs.apply(c.ev('accept', { conn: i, peer: { address: '127.0.0.1', port: 40000 + i } }));
      convs.apply(c.ev('transcript', { conn: i, dir: 'out', data: big, encoding: 'utf8', truncated: false }));
    }
    const list = convs.list();
    expect(list[0].serverOut.text.length).toBe(2048);
    expect(list[0].serverOut.truncated).toBe(true);
    expect(list[209].serverOut.text.length).toBe(10_000);
    expect(list[209].serverOut.truncated).toBe(false);
  });

  it('evicts the oldest records beyond its cap', () => {
    const c = new Clock();
    const convs = new Conversations(10);
    for (let i = 0; i < 30; i++) for (const e of oneRequest(c, i, i + 1, 300 + i, 50000 + i)) convs.apply(e);
    expect(convs.size).toBe(10);
    expect(convs.list()[0].conn).toBe(21);
  });

  it('lists connections in the order the server accepted them — the order of the #numbers they are labelled with', () => {
    const c = new Clock();
    const convs = new Conversations();
    // Eight clients start 1…8; an iterative server with a full queue accepts them in another order.
    for (let id = 1; id <= 8; id++) {
      convs.apply(c.ev('client-connect', { pid: SUPERVISOR, id, host: '127.0.0.1', port: 40000 }));
      convs.apply(c.ev('client-connected', { pid: SUPERVISOR, id, localPort: 52000 + id, ms: 0.2 }));
    }
    const acceptOrder = [4, 8, 6, 7, 5, 1, 2];
    acceptOrder.forEach((client, i) => convs.apply(c.ev('accept', { conn: i + 1, peer: { address: '127.0.0.1', port: 52000 + client } })));
    const list = convs.list();
    expect(list.map((x) => x.conn)).toEqual([1, 2, 3, 4, 5, 6, 7, undefined]);
    expect(list.map((x) => x.clientId)).toEqual([4, 8, 6, 7, 5, 1, 2, 3]);
    // "accepted last" is the highest number, not the client that started last.
    expect(convs.lastAccepted()?.conn).toBe(7);
    expect(convs.lastAccepted()?.clientId).toBe(2);
  });
});
