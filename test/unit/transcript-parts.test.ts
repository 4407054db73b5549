// The transcript recorder keeps latin1 strings (http's header block) and buffers as they come and
// decides at flush time how to show them: the event's data must decode to exactly the bytes sent.
import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../server-core/events';
import type { EventInput } from '../../server-core/events';
import { Transcript } from '../../server-core/http/transcript';

function record(parts: (string | Buffer)[], cap = 1000): EventOf<'transcript'>[] {
  const out: EventOf<'transcript'>[] = [];
  const t = new Transcript(1, 'out', cap, (e: EventInput) => out.push(e as EventOf<'transcript'>));
  for (const p of parts) t.record(p);
  t.flush();
  return out;
}

const bytesOf = (parts: (string | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
const decoded = (e: EventOf<'transcript'>): Buffer => Buffer.from(e.data, e.encoding);

describe('Transcript parts', () => {
  it('ASCII header string + UTF-8 body: one utf8 event, the exact bytes', () => {
    const parts = ['HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n', Buffer.from('café', 'utf8')];
    const [e] = record(parts);
    expect(e.encoding).toBe('utf8');
    expect(decoded(e).equals(bytesOf(parts))).toBe(true);
  });

  it('a latin1 byte above 0x7f in the header: not UTF-8, so base64 of the latin1 bytes', () => {
    const parts = ['HTTP/1.1 200 OK\r\nX-Name: caf\u00e9\r\n\r\n', Buffer.from('ok')];
    const [e] = record(parts);
    expect(e.encoding).toBe('base64');
    expect(decoded(e).equals(bytesOf(parts))).toBe(true);
  });

  it('a UTF-8 character split across two writes is still text', () => {
    const euro = Buffer.from('€', 'utf8');
    const parts = ['HTTP/1.1 200 OK\r\n\r\n', euro.subarray(0, 1), euro.subarray(1)];
    const [e] = record(parts);
    expect(e.encoding).toBe('utf8');
    expect(e.data.endsWith('€')).toBe(true);
    expect(decoded(e).equals(bytesOf(parts))).toBe(true);
  });

  it('the cap counts bytes, strings included, and the copy is independent of the caller', () => {
    const body = Buffer.from('abcdef');
    const out: EventOf<'transcript'>[] = [];
    const t = new Transcript(1, 'out', 8, (e: EventInput) => out.push(e as EventOf<'transcript'>));
    t.record('HEAD\r\n');
    t.record(body);
    body.fill(0x7a); // the caller reuses its buffer after the write
    t.flush();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ data: 'HEAD\r\nab', encoding: 'utf8', truncated: true });
  });
});
