import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, startHarness, transcriptBytes, type Harness } from './connection-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('serveConnection: one request', () => {
  it('serves a GET and narrates request, transcript, response, close in order', async () => {
    h = await startHarness((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`hi ${req.url}\n`);
    });
    const ex = await rawRequest(h.port, ['GET /hello?x=1 HTTP/1.1\r\nHost: example\r\nX-Custom: A b\r\n\r\n']);
    await h.settled();
    expect(ex.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(ex.text).toMatch(/\r\nConnection: close\r\n/);
    expect(ex.text.endsWith('hi /hello?x=1\n')).toBe(true);
    const types = h.events.map((e) => e.type);
    expect(types).toEqual(['transcript', 'request', 'transcript', 'response', 'close']);
    const req = h.of('request')[0];
    expect(req).toMatchObject({ conn: 1, method: 'GET', path: '/hello?x=1', version: 'HTTP/1.1' });
    expect(req.headers).toEqual([
      ['Host', 'example'],
      ['X-Custom', 'A b'],
    ]);
    const res = h.of('response')[0];
    expect(res.status).toBe(200);
    expect(res.bytes).toBe(Buffer.byteLength('hi /hello?x=1\n'));
    expect(res.headers.map(([n]) => n)).toEqual(['Content-Type', 'Date', 'Connection', 'Content-Length']);
  });
});
