// Bad input gets a clear answer and an `error` event, and the next connection is served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeHandler } from '../../server-core/http/types';
import { parseResponse, rawRequest, request, startHarness, type Harness } from './connection-harness';

const echoBody: NodeHandler = async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  res.end(`ok ${Buffer.concat(chunks).length}\n`);
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness(echoBody, { limits: { maxBodyBytes: 1000, readTimeoutMs: 400, bodyTimeoutMs: 800 } });
});
afterAll(async () => {
  await h.close();
});

/** Sends raw bytes on a new connection; returns the answer and the error event of that connection. */
async function send(parts: (string | Buffer)[], opts: { endAfter?: boolean; timeoutMs?: number } = {}) {
  await h.settled(); // every earlier connection has its close event: this one is the next number
  const conns = h.of('close').length;
  const ex = await rawRequest(h.port, parts, opts);
  await h.settled();
  const conn = conns + 1;
  const errors = h.of('error', conn);
  return { ex, conn, errors, status: ex.received.length ? parseResponse(ex.received).status : null };
}

async function goodRequestWorks(): Promise<void> {
  const res = await request(h.port, 'GET', '/fine');
  expect(res.status).toBe(200);
}

describe('bad input', () => {
  const cases: { name: string; parts: string[]; status: number; code: string; message: RegExp }[] = [
    { name: 'a malformed request line', parts: ['HELLO THERE\r\n\r\n'], status: 400, code: 'HPE_INVALID_METHOD', message: /Malformed request line/ },
    { name: 'a bad version', parts: ['GET / HTTP/1.x\r\nHost: a\r\n\r\n'], status: 400, code: 'HPE_INVALID_VERSION', message: /Malformed request line/ },
    { name: 'an HTTP/0.9 request line', parts: ['GET /\r\n\r\n'], status: 400, code: 'HTTP_0_9', message: /no HTTP version/ },
    { name: 'a space in a header name', parts: ['GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n'], status: 400, code: 'HPE_INVALID_HEADER_TOKEN', message: /Invalid header/ },
    { name: 'a control byte in a header name', parts: ['GET / HTTP/1.1\r\nHost: a\r\nX\x01Y: x\r\n\r\n'], status: 400, code: 'HPE_INVALID_HEADER_TOKEN', message: /Invalid header/ },
    {
      name: 'headers over 16 KiB in all',
      parts: [`GET / HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 20 }, (_, i) => `X-Pad-${i}: ${'v'.repeat(1000)}\r\n`).join('')}\r\n`],
      status: 431,
      code: 'HPE_HEADER_OVERFLOW',
      message: /larger than 16 KiB/,
    },
    {
      name: 'Content-Length with Transfer-Encoding',
      parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
      status: 400,
      code: 'HPE_INVALID_TRANSFER_ENCODING',
      message: /both Content-Length and Transfer-Encoding/,
    },
    { name: 'a negative Content-Length', parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n'], status: 400, code: 'HPE_INVALID_CONTENT_LENGTH', message: /Invalid Content-Length/ },
    {
      name: 'a Content-Length too huge to be a number',
      parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n'],
      status: 400,
      code: 'HPE_INVALID_CONTENT_LENGTH',
      message: /Invalid Content-Length \(Content-Length overflow\)/,
    },
    {
      name: 'two Content-Lengths',
      parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
      status: 400,
      code: 'HPE_UNEXPECTED_CONTENT_LENGTH',
      message: /Invalid Content-Length \(Duplicate Content-Length\)/,
    },
    {
      name: 'a Content-Length over the body limit',
      parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9999999999\r\n\r\nstart of a huge body'],
      status: 413,
      code: 'BODY_TOO_LARGE',
      message: /The body is 9999999999 bytes \(Content-Length\); this server accepts at most 1000 bytes/,
    },
    {
      name: 'a chunked body over the limit',
      parts: ['POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n', `400\r\n${'a'.repeat(1024)}\r\n`, `400\r\n${'b'.repeat(1024)}\r\n0\r\n\r\n`],
      status: 413,
      code: 'BODY_TOO_LARGE',
      message: /larger than 1000 bytes/,
    },
    { name: 'HTTP/1.1 without Host', parts: ['GET / HTTP/1.1\r\n\r\n'], status: 400, code: 'MISSING_HOST', message: /must have a Host header/ },
    { name: 'an unknown Expect', parts: ['GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n'], status: 417, code: 'EXPECTATION_FAILED', message: /Unsupported Expect header 'magic'/ },
    { name: 'CONNECT', parts: ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'], status: 405, code: 'CONNECT_NOT_SUPPORTED', message: /CONNECT/ },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const { ex, conn, errors, status } = await send(c.parts);
      expect(status).toBe(c.status);
      expect(ex.text).toMatch(/\r\nConnection: close\r\n/);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ conn, code: c.code, status: c.status });
      expect(errors[0].message).toMatch(c.message);
      // The client is told why, in plain words.
      expect(parseResponse(ex.received).text).toBe(`${errors[0].message}\n`);
      expect(h.of('response', conn).map((r) => r.status)).toEqual([c.status]);
      expect(h.events.filter((e) => 'conn' in e && e.conn === conn).at(-1)?.type).toBe('close');
      await goodRequestWorks();
    });
  }

  it('a client that sends nothing gets 408 after the read timeout', async () => {
    const t0 = Date.now();
    const { status, errors } = await send([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(status).toBe(408);
    expect(errors[0]).toMatchObject({ code: 'READ_TIMEOUT', status: 408 });
    expect(errors[0].message).toMatch(/sent no request within 0\.4 s/);
    await goodRequestWorks();
  });

  it('a client that stalls in the middle of its headers gets 408', async () => {
    const { status, errors } = await send(['GET / HTTP/1.1\r\nHost: a\r\n']);
    expect(status).toBe(408);
    expect(errors[0].message).toMatch(/did not all arrive within 0\.4 s of the request's start/);
    await goodRequestWorks();
  });

  it('a client that stalls in the middle of its body gets 408, though the app is waiting for it', async () => {
    const { status, errors } = await send(['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc']);
    expect(status).toBe(408);
    expect(errors[0]).toMatchObject({ code: 'READ_TIMEOUT', status: 408 });
    await goodRequestWorks();
  });

  it('Expect: 100-continue with a too-large body is refused before the body is sent', async () => {
    const { ex, status } = await send(['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n']);
    expect(status).toBe(413);
    expect(ex.text).not.toMatch(/100 Continue/);
  });

  it('Expect: 100-continue with an acceptable body gets 100 Continue, then the answer', async () => {
    const sock = await import('node:net').then((net) => net.createConnection({ port: h.port, host: '127.0.0.1' }));
    const got: Buffer[] = [];
    sock.on('data', (c: Buffer) => {
      got.push(c);
      if (Buffer.concat(got).toString().startsWith('HTTP/1.1 100 Continue\r\n\r\n') && got.length === 1) sock.write('hello');
    });
    sock.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await new Promise((r) => sock.on('close', r));
    const text = Buffer.concat(got).toString();
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/ok 5\n$/);
  });
});
