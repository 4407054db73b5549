// The transcript tap records exactly the bytes on the wire: what the client sent is the 'in'
// transcript, what the client received is the 'out' transcript, byte for byte.
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, startHarness, transcriptBytes, type Harness } from './connection-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('transcript tap', () => {
  it('equals the bytes on the wire in both directions, across several segments', async () => {
    h = await startHarness(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      res.setHeader('Content-Type', 'application/octet-stream');
      res.write('got ');
      res.write(Buffer.concat(chunks));
      res.end(Buffer.from([0xff, 0x00, 0xfe]));
    });
    const body = Buffer.from([0x00, 0x01, 0xc3, 0x28, 0xff, 0x41]); // not UTF-8: base64 on the way
    const ex = await rawRequest(h.port, [
      'POST /upload HTTP/1.1\r\nHo',
      'st: x\r\nContent-Length: 6\r\n\r\n',
      body.subarray(0, 2),
      body.subarray(2),
    ]);
    await h.settled();
    const tin = transcriptBytes(h.events, 1, 'in');
    const tout = transcriptBytes(h.events, 1, 'out');
    expect(tin.bytes.equals(ex.sent)).toBe(true);
    expect(tout.bytes.equals(ex.received)).toBe(true);
    expect(tin.truncated || tout.truncated).toBe(false);
    expect(ex.received.length).toBeGreaterThan(100);
    // Binary bytes travel as base64; the header-only piece before the request as UTF-8.
    const encodings = h.of('transcript').map((t) => `${t.dir}:${t.encoding}`);
    expect(encodings).toContain('in:base64');
    expect(h.of('response')[0]).toMatchObject({ status: 200, bytes: 4 + 6 + 3 });
  });

  it('caps each direction and marks the transcript truncated', async () => {
    h = await startHarness(
      (_req, res) => {
        res.end('x'.repeat(5000));
      },
      { limits: { transcriptCap: 1000 } },
    );
    const head = `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(3000)}\r\n\r\n`;
    const ex = await rawRequest(h.port, [head]);
    await h.settled();
    const tin = transcriptBytes(h.events, 1, 'in');
    const tout = transcriptBytes(h.events, 1, 'out');
    expect(tin).toMatchObject({ truncated: true });
    expect(tin.bytes.equals(ex.sent.subarray(0, 1000))).toBe(true);
    expect(tout.truncated).toBe(true);
    expect(tout.bytes.equals(ex.received.subarray(0, 1000))).toBe(true);
    // Exactly one event per direction says truncated, and nothing follows it.
    for (const dir of ['in', 'out'] as const) {
      const evs = h.of('transcript').filter((t) => t.dir === dir);
      expect(evs.filter((t) => t.truncated)).toHaveLength(1);
      expect(evs.at(-1)!.truncated).toBe(true);
    }
  });

  it('records the answer to bad input too', async () => {
    h = await startHarness(() => {
      throw new Error('never called');
    });
    const ex = await rawRequest(h.port, ['GARBAGE / HTTP/1.1\r\n\r\n']);
    await h.settled();
    expect(ex.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(transcriptBytes(h.events, 1, 'out').bytes.equals(ex.received)).toBe(true);
    expect(transcriptBytes(h.events, 1, 'in').bytes.equals(ex.sent)).toBe(true);
  });

  it('works whether the socket arrives paused (pauseOnConnect) or flowing', async () => {
    h = await startHarness((_req, res) => {
      res.end('ok');
    }, { pauseOnConnect: false });
    const ex = await rawRequest(h.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    await h.settled();
    expect(ex.text).toMatch(/\r\n\r\nok$/);
    expect(transcriptBytes(h.events, 1, 'out').bytes.equals(ex.received)).toBe(true);
  });
});
