import { describe, expect, it } from 'vitest';
import { ResponseReader, parseHead } from '../../server-core/client/response';

const feedAll = (r: ResponseReader, text: string | Buffer, step = 0): void => {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
  if (!step) return r.feed(buf);
  for (let i = 0; i < buf.length; i += step) r.feed(buf.subarray(i, i + step));
};

describe('ResponseReader', () => {
  it('reads a Content-Length response, even one byte at a time', () => {
    for (const step of [0, 1, 3]) {
      const r = new ResponseReader('GET');
      feedAll(r, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello', step);
      expect(r.complete).toBe(true);
      expect(r.head).toMatchObject({ version: '1.1', status: 200, reason: 'OK', headers: [['Content-Length', '5'], ['X', 'y']] });
      expect(r.framing).toBe('length');
      expect(r.bodyBytes).toBe(5);
      expect(r.extraBytes).toBe(0);
    }
  });

  it('is not complete until the last body byte', () => {
    const r = new ResponseReader();
    feedAll(r, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell');
    expect(r.complete).toBe(false);
    expect(r.state).toBe('body');
    r.feed(Buffer.from('o'));
    expect(r.complete).toBe(true);
  });

  it('reads chunked bodies with extensions and trailers, split anywhere', () => {
    const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n';
    for (const step of [0, 1, 2, 7]) {
      const r = new ResponseReader();
      feedAll(r, wire, step);
      expect(r.complete, `step ${step}`).toBe(true);
      expect(r.framing).toBe('chunked');
      expect(r.bodyBytes).toBe(11);
    }
  });

  it('reads to end-of-file when there is no length', () => {
    const r = new ResponseReader();
    feedAll(r, 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome body');
    expect(r.complete).toBe(false);
    expect(r.framing).toBe('eof');
    r.end();
    expect(r.complete).toBe(true);
    expect(r.bodyBytes).toBe(9);
  });

  it('knows responses without a body: HEAD, 204, 304', () => {
    const head = new ResponseReader('HEAD');
    feedAll(head, 'HTTP/1.1 200 OK\r\nContent-Length: 44\r\n\r\n');
    expect(head.complete).toBe(true);
    expect(head.bodyBytes).toBe(0);
    for (const status of [204, 304]) {
      const r = new ResponseReader();
      feedAll(r, `HTTP/1.1 ${status} X\r\n\r\n`);
      expect(r.complete).toBe(true);
    }
  });

  it('skips 100 Continue and reads the final response', () => {
    const r = new ResponseReader('POST');
    feedAll(r, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    expect(r.interim.map((h) => h.status)).toEqual([100]);
    expect(r.head?.status).toBe(201);
    expect(r.complete).toBe(true);
  });

  it('accepts bare LF line ends and a status line without a reason', () => {
    const r = new ResponseReader();
    feedAll(r, 'HTTP/1.1 404\nContent-Length: 0\n\n');
    expect(r.complete).toBe(true);
    expect(r.head).toMatchObject({ status: 404, reason: '' });
  });

  it('counts bytes after the end of the response', () => {
    const r = new ResponseReader();
    feedAll(r, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA');
    expect(r.complete).toBe(true);
    expect(r.extraBytes).toBe(5);
  });

  it('rejects what is not HTTP, with a reason', () => {
    const junk = new ResponseReader();
    junk.feed(Buffer.from('SSH-2.0-OpenSSH\r\n'));
    expect(junk.state).toBe('error');
    expect(junk.error).toMatch(/starts with/);

    const conflicting = new ResponseReader();
    feedAll(conflicting, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n');
    expect(conflicting.error).toMatch(/conflicting Content-Length/);

    const badChunk = new ResponseReader();
    feedAll(badChunk, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    expect(badChunk.error).toMatch(/chunk size/);

    expect(parseHead('HTTP/1.1 200 OK\r\nno colon here')).toMatch(/has no name/);
  });

  it('tells keep-alive from close', () => {
    const ka = new ResponseReader();
    feedAll(ka, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(ka.keepAlive).toBe(true);
    const close = new ResponseReader();
    feedAll(close, 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    expect(close.keepAlive).toBe(false);
    const old = new ResponseReader();
    feedAll(old, 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(old.keepAlive).toBe(false);
  });
});
