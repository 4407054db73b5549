// event-json.ts writes the hot events field by field: the text must be the JSON that
// JSON.stringify would write for them, whatever the strings hold.
import { describe, expect, it } from 'vitest';
import { eventJson } from '../../server-core/event-json';
import type { ForkscopeEvent } from '../../server-core/events';

const awkward = ['plain', '', 'quote " and backslash \\', 'tab\tnewline\r\n', '\u0000\u001f', 'émoji 🎉', 'lone \ud800 surrogate', '</script>'];

function cases(): ForkscopeEvent[] {
  const out: ForkscopeEvent[] = [];
  for (const s of awkward) {
    out.push(
      { type: 'request', conn: 7, method: 'GET', path: `/${s}`, version: 'HTTP/1.1', headers: [['Host', s], [s, 'v']], via: 'direct', t: 12.345678, pid: 42 },
      { type: 'request', conn: 7, method: s, path: '/', version: 'HTTP/1.0', headers: [], t: 0, pid: 1 },
      { type: 'response', conn: 1000000001, status: 404, headers: [['X', s]], bytes: 0, t: 99999.000001, pid: 3 },
      { type: 'transcript', conn: 2, dir: 'in', data: s, encoding: 'utf8', truncated: false, t: 1, pid: 2 },
      { type: 'transcript', conn: 2, dir: 'out', data: s, encoding: 'base64', truncated: true, t: 1, pid: 2 },
      { type: 'accept', conn: 3, peer: { address: s, port: 65535 }, fd: 5, t: 1.5, pid: 9 },
      { type: 'accept', conn: 3, peer: { address: '::1', port: 1 }, t: 1.5, pid: 9 },
      { type: 'close', conn: 3, t: 2, pid: 9 },
      { type: 'error', conn: 3, code: 'X', message: s, t: 2, pid: 9 },
    );
  }
  return out;
}

describe('eventJson', () => {
  it('writes exactly what JSON.stringify writes, type first', () => {
    for (const e of cases()) {
      const text = eventJson(e);
      expect(text).toBe(JSON.stringify(e));
      expect(text.startsWith(`{"type":"${e.type}"`)).toBe(true);
    }
  });

  it('leaves an event the supervisor has marked with its source to JSON.stringify', () => {
    const e: ForkscopeEvent = { type: 'close', conn: 1, t: 1, pid: 1, source: 'server' };
    expect(eventJson(e)).toBe(JSON.stringify(e));
  });
});
