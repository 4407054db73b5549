// The recording format: header, streaming writer, a reader that opens up to a damaged line and
// refuses what is not a recording; the HTTP messages cut back out of recorded bytes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ForkscopeEvent } from '../../server-core/events';
import { headerLine, makeHeader, RECORDING_VERSION } from '../../server-core/recording/format';
import { splitMessages } from '../../server-core/recording/http-messages';
import { parseRecording } from '../../server-core/recording/parse';
import { readRecordingFile } from '../../server-core/recording/read-file';
import { R } from '../../server-core/recording/strings';
import { RecordingWriter, saveRecording, thisPlatform } from '../../server-core/recording/writer';

const dir = mkdtempSync(join(tmpdir(), 'forkscope-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = makeHeader({ recorder: 'serve', settings: { model: 'fork', port: 0 }, platform: thisPlatform(), startedMs: Date.UTC(2026, 0, 1), origin: '123' });
const ev = (t: number, conn: number): ForkscopeEvent => ({ type: 'accept', conn, peer: { address: '127.0.0.1', port: 40000 + conn }, t, pid: 7 });
const good = headerLine(header) + [ev(1, 1), ev(2.5, 2), ev(4, 3)].map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('parseRecording', () => {
  it('reads the header and every event', () => {
    const r = parseRecording(good);
    expect('refusal' in r).toBe(false);
    if ('refusal' in r) return;
    expect(r.header.version).toBe(RECORDING_VERSION);
    expect(r.header.started).toBe('2026-01-01T00:00:00.000Z');
    expect(r.events.map((e) => e.t)).toEqual([1, 2.5, 4]);
    expect(r.damage).toBeNull();
  });

  it('a file cut off mid-line opens up to the cut and says so (truncated)', () => {
    const cut = good.slice(0, good.length - 12);
    const r = parseRecording(cut);
    if ('refusal' in r) throw new Error('refused');
    expect(r.events).toHaveLength(2);
    expect(r.damage).toEqual({ kind: 'truncated', line: 4, events: 2, lastT: 2.5 });
    expect(R.damage('r.jsonl', r.damage!)).toBe('r.jsonl ends in the middle of line 4 (cut off while it was written?): read 2 events, up to 0.003 s');
  });

  it('a last line complete but for its line end is kept', () => {
    const r = parseRecording(good.slice(0, -1));
    if ('refusal' in r) throw new Error('refused');
    expect(r.events).toHaveLength(3);
    expect(r.damage).toBeNull();
  });

  it('a damaged line in the middle: the events before it, nothing after (corrupt)', () => {
    const lines = good.split('\n');
    lines[2] = '{"type":"accept","conn":2,"pe\u0000\u0000garbage';
    const r = parseRecording(lines.join('\n'));
    if ('refusal' in r) throw new Error('refused');
    expect(r.events).toHaveLength(1);
    expect(r.damage).toEqual({ kind: 'corrupt', line: 3, events: 1, lastT: 1 });
    expect(R.damage('r.jsonl', r.damage!)).toMatch(/^line 3 of r\.jsonl is not an event .* read the 1 events before it, up to 0\.001 s, and nothing after it$/);
  });

  it('a JSON line that is not an event counts as damage too', () => {
    const r = parseRecording(`${headerLine(header)}{"type":"accept","conn":1}\n`);
    if ('refusal' in r) throw new Error('refused');
    expect(r.damage?.kind).toBe('corrupt');
  });

  it('a newer format version is refused with the version and writer named', () => {
    const newer = JSON.stringify({ format: 'forkscope-recording', version: RECORDING_VERSION + 1, forkscope: '9.0.0', whatever: true });
    const r = parseRecording(`${newer}\n${JSON.stringify(ev(1, 1))}\n`);
    expect(r).toEqual({ refusal: { kind: 'newer', version: RECORDING_VERSION + 1, writtenBy: '9.0.0' } });
    if (!('refusal' in r)) return;
    expect(R.refusal('x.jsonl', r.refusal)).toBe(
      `x.jsonl was written by forkscope 9.0.0 in recording format version ${RECORDING_VERSION + 1}; this forkscope reads format version 1 at most — update forkscope to open it`,
    );
  });

  it.each([
    ['serve --json output', `${JSON.stringify(ev(1, 1))}\n`, 'events', /without a recording header/],
    ['a HAR file', '{"log":{"version":"1.2","entries":[]}}\n', 'har', /is a HAR file/],
    ['other JSON', '[1,2,3]\n', 'json', /not a forkscope recording/],
    ['text', 'hello there\n', 'text', /not a forkscope recording/],
    ['binary', '\u0000\u0001\u0002PNG\n', 'binary', /not a forkscope recording/],
  ])('a foreign file (%s) is refused', (_name, text, looksLike, message) => {
    const r = parseRecording(text);
    expect(r).toEqual({ refusal: { kind: 'foreign', looksLike } });
    if ('refusal' in r) expect(R.refusal('f', r.refusal)).toMatch(message);
  });

  it('an empty file and a damaged header are refused', () => {
    expect(parseRecording('')).toEqual({ refusal: { kind: 'empty' } });
    expect(parseRecording('\n\n')).toEqual({ refusal: { kind: 'empty' } });
    const bad = parseRecording(`${JSON.stringify({ format: 'forkscope-recording', version: 1 })}\n`);
    expect('refusal' in bad && bad.refusal.kind).toBe('bad-header');
  });
});

describe('RecordingWriter and readRecordingFile', () => {
  it('streams: lines reach the file on a quarter-second timer, before close(), and read back the same', async () => {
    const path = join(dir, 'w.forkscope.jsonl');
    const w = new RecordingWriter(path);
    w.header(header);
    w.event(ev(1, 1));
    // header, event, '' — written by the timer (not by close()), however late a busy machine runs it
    await expect.poll(() => readFileSync(path, 'utf8').split('\n'), { timeout: 5000, interval: 50 }).toHaveLength(3);
    w.lines(Buffer.from(`${JSON.stringify(ev(2, 2))}\n${JSON.stringify(ev(3, 3))}\n`), 2);
    w.close();
    const seen: number[] = [];
    const r = await readRecordingFile(path, (e) => void seen.push(e.t));
    expect(r.ok && r.events).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('a file cut off anywhere reads up to the cut', async () => {
    const path = join(dir, 'cut.forkscope.jsonl');
    const events = Array.from({ length: 2000 }, (_, i) => ev(i, i + 1));
    await saveRecording(path, header, events);
    const full = readFileSync(path, 'utf8');
    for (const cut of [full.length - 5, Math.floor(full.length / 2)]) {
      const p = join(dir, `cut-${cut}.jsonl`);
      writeFileSync(p, full.slice(0, cut));
      let n = 0;
      const r = await readRecordingFile(p, () => void n++);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.damage?.kind).toBe('truncated');
      expect(r.damage?.events).toBe(n);
      expect(n).toBeGreaterThan(0);
    }
  });

  it('a missing file is a read error, not a crash', async () => {
    const r = await readRecordingFile(join(dir, 'nope.jsonl'), () => {});
    expect(r.ok === false && 'readError' in r).toBe(true);
  });
});

describe('splitMessages', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('cuts pipelined requests by Content-Length and chunked framing', () => {
    const b = enc('POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n\r\nPUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n');
    const m = splitMessages(b, 'request');
    expect(m.map((x) => x.startLine)).toEqual(['POST /a HTTP/1.1', 'GET /b HTTP/1.1', 'PUT /c HTTP/1.1']);
    expect(m.map((x) => new TextDecoder().decode(x.body))).toEqual(['abc', '', 'hi']);
    expect(m.every((x) => x.complete)).toBe(true);
  });

  it('responses: HEAD and 100 Continue have no body; an unframed body runs to the end', () => {
    const b = enc('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\n\r\nrest of it');
    const m = splitMessages(b, 'response', ['HEAD', 'GET']);
    expect(m.map((x) => x.startLine)).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(new TextDecoder().decode(m[2].body)).toBe('rest of it');
  });

  it('a body cut short by the cap is marked incomplete', () => {
    const m = splitMessages(enc('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort'), 'response', ['GET']);
    expect(m[0].complete).toBe(false);
    expect(m[0].body.length).toBe(5);
  });
});
