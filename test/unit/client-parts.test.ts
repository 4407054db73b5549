// The client's small pure pieces: targets and the loopback fence, request building, header
// flags, percentiles and the summary, explanations, and the curl -v style transcript.
import { describe, expect, it } from 'vitest';
import { isLoopback, parseTarget, resolveTarget, TargetError } from '../../server-core/client/target';
import { buildRequest, methodOf, parseHeader } from '../../server-core/client/request';
import { percentile, summarize } from '../../server-core/client/stats';
import { explain } from '../../server-core/client/strings';
import { TranscriptPrinter, showLine } from '../../server-core/client/transcript';
import { formatSummary } from '../../server-core/client/report';
import { checkOptions, defaultFireOptions } from '../../server-core/client/engine';
import type { ConnResult } from '../../server-core/client/connection';
import type { ClientEvent } from '../../server-core/events';

describe('targets', () => {
  it('parses URLs, bare host:port and bare paths', () => {
    expect(parseTarget('http://127.0.0.1:8888/hello')).toEqual({ hostname: '127.0.0.1', port: 8888, path: '/hello', hostHeader: '127.0.0.1:8888' });
    expect(parseTarget('/slow?ms=500')).toMatchObject({ hostname: '127.0.0.1', port: 8888, path: '/slow?ms=500' });
    expect(parseTarget('localhost:9000')).toMatchObject({ hostname: 'localhost', port: 9000, path: '/' });
    expect(parseTarget('http://[::1]:8080/x')).toMatchObject({ hostname: '::1', port: 8080, hostHeader: '[::1]:8080' });
    expect(parseTarget('http://127.0.0.1/')).toMatchObject({ port: 80 });
  });

  it('refuses https and nonsense with a plain message', () => {
    expect(() => parseTarget('https://127.0.0.1/')).toThrow(/only plain http/);
    expect(() => parseTarget('http://127.0.0.1:0/')).toThrow(TargetError);
    expect(() => parseTarget('http://:80')).toThrow(TargetError);
  });

  it('knows loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['10.0.0.1', '0.0.0.0', '::', 'example.com', '128.0.0.1', '::ffff:10.0.0.1']) expect(isLoopback(h), h).toBe(false);
  });

  it('refuses remote targets unless allowed, without sending anything', async () => {
    await expect(resolveTarget('http://10.1.2.3:8888/', false)).rejects.toThrow(/--allow-remote/);
    await expect(resolveTarget('http://localhost:8888/', false)).resolves.toMatchObject({ address: '127.0.0.1' });
  });
});

describe('requests', () => {
  const target = { hostname: '127.0.0.1', address: '127.0.0.1', port: 8888, path: '/p?q=1', hostHeader: '127.0.0.1:8888' };

  it('builds a curl-like GET with Connection: close', () => {
    const req = buildRequest({ method: '', headers: [] }, target).toString();
    expect(req).toBe('GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:8888\r\nUser-Agent: forkscope-fire\r\nAccept: */*\r\nConnection: close\r\n\r\n');
  });

  it('makes --data a POST with Content-Length; headers replace or remove defaults', () => {
    const req = buildRequest({ method: '', headers: [['accept', 'text/plain'], ['User-Agent', ''], ['X-One', '1']], body: 'a=é' }, target).toString();
    expect(req.startsWith('POST /p?q=1 HTTP/1.1\r\n')).toBe(true);
    expect(req).toContain('Content-Length: 4\r\n');
    expect(req).toContain('accept: text/plain\r\n');
    expect(req).not.toContain('Accept: */*');
    expect(req).not.toContain('User-Agent');
    expect(req.endsWith('X-One: 1\r\n\r\na=é')).toBe(true);
    expect(methodOf(Buffer.from(req))).toBe('POST');
  });

  it('parses --header values', () => {
    expect(parseHeader('X-A: b: c')).toEqual(['X-A', 'b: c']);
    expect(parseHeader('Accept:')).toEqual(['Accept', '']);
    expect(parseHeader('nocolon')).toBeNull();
    expect(parseHeader(': v')).toBeNull();
    expect(parseHeader('Bad Name: v')).toBeNull();
  });
});

describe('options', () => {
  it('checks options with plain messages', () => {
    expect(checkOptions(defaultFireOptions())).toBeNull();
    expect(checkOptions(defaultFireOptions({ clients: 0 }))).toMatch(/--clients needs a whole number/);
    expect(checkOptions(defaultFireOptions({ clients: 2000 }))).toMatch(/at most 1000/);
    expect(checkOptions(defaultFireOptions({ rawBase64: 'eA==', sendNothing: true }))).toMatch(/--raw or --send-nothing/);
    expect(checkOptions(defaultFireOptions({ mode: 'hold' }))).toMatch(/holdS/);
    expect(checkOptions(defaultFireOptions({ timeoutS: 0 }))).toMatch(/--timeout/);
  });
});

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 90)).toBe(90);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes outcomes, statuses, latency, bytes, errors by kind and SYN notes', () => {
    const base = { synRetries: 0, bodyBytes: 2, receivedBytes: 40, sentBytes: 30 };
    const results: ConnResult[] = [
      { id: 1, outcome: 'ok', status: 200, latencyMs: 10, ...base },
      { id: 2, outcome: 'ok', status: 200, latencyMs: 30, ...base, synRetries: 2 },
      { id: 3, outcome: 'no-eof', status: 200, latencyMs: 20, ...base, error: { code: 'NO_EOF', explanation: 'x' } },
      { id: 4, outcome: 'refused', ...base, receivedBytes: 0, error: { code: 'ECONNREFUSED', explanation: 'nothing listens' } },
      { id: 5, outcome: 'refused', ...base, receivedBytes: 0, error: { code: 'ECONNREFUSED', explanation: 'nothing listens' } },
    ];
    const s = summarize(results, 1234.5);
    expect(s.total).toBe(5);
    expect(s.responded).toBe(3);
    expect(s.outcomes).toEqual({ ok: 2, 'no-eof': 1, refused: 2 });
    expect(s.statuses).toEqual({ '200': 3 });
    expect(s.latencyMs).toEqual({ p50: 20, p90: 30, p99: 30, max: 30 });
    expect(s.bytes).toBe(120);
    expect(s.sentBytes).toBe(150);
    expect(s.errors).toEqual([
      { code: 'ECONNREFUSED', explanation: 'nothing listens', count: 2 },
      { code: 'NO_EOF', explanation: 'x', count: 1 },
    ]);
    expect(s.notes).toEqual([{ code: 'SYN_RETRY', explanation: explain.SYN_RETRY(), count: 1 }]);
    const text = formatSummary(s);
    expect(text).toContain('5 connections in 1.2 s');
    expect(text).toContain('2 × ECONNREFUSED — nothing listens');
    expect(text).toMatch(/p50 20\.0 ms · p90 30\.0 ms · p99 30\.0 ms · max 30\.0 ms/);
    expect(summarize([], 0).latencyMs).toBeNull();
  });

  it('counts answers by status class (a 503 is an answer, not a success) and says how long they waited', () => {
    const base = { outcome: 'ok' as const, synRetries: 0, bodyBytes: 2, receivedBytes: 40, sentBytes: 30 };
    const results: ConnResult[] = [
      ...Array.from({ length: 11 }, (_, i) => ({ ...base, id: i + 1, status: 503, connectMs: 1, firstByteMs: 2001 + i, latencyMs: 2002 + i })),
      { ...base, id: 12, status: 200, connectMs: 1, firstByteMs: 51, latencyMs: 52 },
      { ...base, id: 13, outcome: 'refused', receivedBytes: 0 },
    ];
    const s = summarize(results, 2100);
    expect(s.classes).toEqual({ '5xx': 11, '2xx': 1 });
    expect(s.waitMs).toEqual({ p50: 2004, max: 2010, n: 12 });
    const text = formatSummary(s);
    expect(text).toContain('Answers: 1 × 2xx success (200 OK ×1) · 11 × 5xx server error: the server could not serve it (503 Service Unavailable ×11)');
    expect(text).toMatch(/Waited \(handshake → first byte of the answer\): p50 2004\.0 ms · max 2010\.0 ms — in the server's accept queue/);
    // Where the server's accepts were seen too (the app), the queue itself is named.
    const app = formatSummary({ ...s, queueMs: { p50: 1999, max: 2003, n: 11 } });
    expect(app).toMatch(/In the accept queue \(handshake → the server's accept\): p50 1999\.0 ms · max 2003\.0 ms \(11 of 13 connections\)/);
    expect(app).not.toMatch(/Waited/);
  });
});

describe('explanations', () => {
  it('say what happened in plain words', () => {
    expect(explain.ECONNREFUSED('127.0.0.1', 9)).toMatch(/Nothing listens on 127\.0\.0\.1 port 9/);
    expect(explain.SYN_RETRY()).toMatch(/backlog \+ 1/);
    expect(explain.SYN_RETRY()).toMatch(/1 s, 3 s/);
    expect(explain.CONNECT_TIMEOUT(3, 5000)).toMatch(/5\.0 s.*3 sent again/);
    expect(explain.NO_EOF(1000)).toMatch(/--parent-keeps-conn/);
    expect(explain.TIMEOUT(20_000)).toMatch(/within 20 s/);
    expect(explain.ECONNRESET()).toMatch(/reset/);
  });
});

describe('transcript', () => {
  const ev = <T extends ClientEvent['type']>(type: T, rest: object): ClientEvent => ({ type, t: 0, pid: 1, id: 1, ...rest }) as ClientEvent;

  it('prints > sent lines, < received head lines, the body, and * info lines', () => {
    let out = '';
    const p = new TranscriptPrinter((s) => (out += s));
    p.onEvent(ev('client-connect', { host: '127.0.0.1', port: 8888 }));
    p.onEvent(ev('client-connected', { localPort: 51234, ms: 0.4, synRetries: 1 }));
    p.onEvent(ev('client-sent', { bytes: 10, data: 'GET / HTTP', encoding: 'utf8' }));
    p.onEvent(ev('client-sent', { bytes: 12, data: '/1.1\r\nA: b\r\n\r\n', encoding: 'utf8' }));
    p.onEvent(ev('client-first-byte', { ms: 3 }));
    p.onEvent(ev('client-received', { data: 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello', encoding: 'utf8', truncated: false }));
    p.onEvent(ev('client-received', { data: '!', encoding: 'utf8', truncated: false }));
    p.onEvent(ev('client-done', { status: 200, bytes: 6, ms: 4 }));
    p.onEvent(ev('client-eof', { ms: 5 }));
    expect(out).toBe(
      [
        '* Trying 127.0.0.1 port 8888…',
        '* Connected to 127.0.0.1 port 8888 (local port 51234) in 0.4 ms',
        "* The SYN was sent again 1 time: the server's accept queue was full and its kernel dropped the earlier ones.",
        '> GET / HTTP/1.1',
        '> A: b',
        '> ',
        '* First response byte after 3.0 ms',
        '< HTTP/1.1 200 OK',
        '< Content-Length: 6',
        '<',
        'hello!',
        '* Response complete: status 200, 6 body bytes, 4.0 ms after connecting',
        '* The server closed the connection (end-of-file) at 5.0 ms',
        '',
      ].join('\n'),
    );
  });

  it('shows raw bytes exactly, control bytes escaped, a last unterminated line too', () => {
    let out = '';
    const p = new TranscriptPrinter((s) => (out += s));
    p.onEvent(ev('client-sent', { bytes: 6, data: Buffer.from('A\x00B\r\nC').toString('base64'), encoding: 'base64' }));
    p.onEvent(ev('client-error', { code: 'ECONNRESET', explanation: 'reset' }));
    expect(out).toBe('> A\\x00B\n> C\n* Error ECONNRESET: reset\n');
    expect(showLine(Buffer.from('tab\there\r'))).toBe('tab\there');
  });

  it('does not dump binary bodies', () => {
    let out = '';
    const p = new TranscriptPrinter((s) => (out += s));
    p.onEvent(ev('client-received', { data: Buffer.from('HTTP/1.1 200 OK\r\n\r\n\x00\x01\x02').toString('base64'), encoding: 'base64', truncated: false }));
    p.onEvent(ev('client-eof', { ms: 1 }));
    expect(out).toContain('[3 bytes of binary data not shown]');
  });
});
