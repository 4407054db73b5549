// Acceptance 5: through the real `forkscope serve`, each kind of bad input — raw bytes over a
// TCP socket — gets its answer and an `error` event, and a good request right after gets 200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../server-core/events';
import { parseResponse, rawRequest, request } from '../helpers/raw-http';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

const MiB = 1024 * 1024;
const pad = (n: number): string => Array.from({ length: n }, (_, i) => `X-Pad-${i}: ${'v'.repeat(1000)}\r\n`).join('');

interface Case {
  name: string;
  parts: (string | Buffer)[];
  status: number;
  code: RegExp;
}

const CASES: Case[] = [
  { name: 'malformed request line', parts: ['THIS IS NOT HTTP\r\n\r\n'], status: 400, code: /^HPE_INVALID_METHOD$/ },
  { name: 'request line without a version', parts: ['GET /hello\r\n\r\n'], status: 400, code: /^HTTP_0_9$/ },
  { name: 'invalid byte in a header name', parts: ['GET / HTTP/1.1\r\nHost: a\r\nBad\x7fName: x\r\n\r\n'], status: 400, code: /^HPE_INVALID_HEADER_TOKEN$/ },
  { name: 'headers over 16 KiB in all', parts: [`GET / HTTP/1.1\r\nHost: a\r\n${pad(17)}\r\n`], status: 431, code: /^HPE_HEADER_OVERFLOW$/ },
  {
    name: 'Content-Length with Transfer-Encoding',
    parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    status: 400,
    code: /^HPE_INVALID_TRANSFER_ENCODING$/,
  },
  { name: 'negative Content-Length', parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n'], status: 400, code: /^HPE_INVALID_CONTENT_LENGTH$/ },
  {
    name: 'huge Content-Length (not even a 64-bit number)',
    parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 123456789012345678901234567890\r\n\r\n'],
    status: 400,
    code: /^HPE_INVALID_CONTENT_LENGTH$/,
  },
  {
    name: 'Content-Length over the 1 MiB body limit',
    parts: ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000000000\r\n\r\n', 'the first bytes of a body that will never be read'],
    status: 413,
    code: /^BODY_TOO_LARGE$/,
  },
  {
    name: 'chunked body over the 1 MiB body limit',
    parts: [
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
      Buffer.concat([Buffer.from(`${(MiB / 2).toString(16)}\r\n`), Buffer.alloc(MiB / 2, 0x61), Buffer.from('\r\n')]),
      Buffer.concat([Buffer.from(`${(MiB / 2).toString(16)}\r\n`), Buffer.alloc(MiB / 2, 0x62), Buffer.from('\r\n')]),
      Buffer.concat([Buffer.from(`${(MiB / 2).toString(16)}\r\n`), Buffer.alloc(MiB / 2, 0x63), Buffer.from('\r\n0\r\n\r\n')]),
    ],
    status: 413,
    code: /^BODY_TOO_LARGE$/,
  },
];

/** The connection the server accepted from client port `localPort` (its accept line may come after the answer). */
async function connOf(run: ServerRun, localPort: number): Promise<number> {
  return (await run.waitFor('accept', (a) => a.peer.port === localPort)).conn;
}

/** The events of connection `conn`, once it is closed. */
async function connEvents(run: ServerRun, conn: number) {
  await run.waitFor('close', (e) => e.conn === conn);
  const mine = run.events.filter((e) => 'conn' in e && e.conn === conn);
  return { mine, errors: mine.filter((e): e is EventOf<'error'> => e.type === 'error') };
}

describe.each(['iterative', 'fork'])('bad input with --model %s', (model) => {
  let run: ServerRun;
  beforeAll(async () => {
    run = await startServer(['echo', '--model', model, '--port', '0', '--read-timeout', '1']);
  });
  afterAll(async () => {
    const { code } = await run.stop();
    expect(code).toBe(0);
  });

  async function goodRequestGets200(): Promise<void> {
    const res = await request(run.port, 'POST', '/after?ok=1', { body: 'fine' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ input: 'fine' });
  }

  for (const c of CASES) {
    it(`${c.name} → ${c.status}, then a good request → 200`, async () => {
      const ex = await rawRequest(run.port, c.parts, { timeoutMs: 10_000 });
      const res = parseResponse(ex.received);
      expect(res.status).toBe(c.status);
      expect(res.header('connection')).toBe('close');
      const { mine, errors } = await connEvents(run, await connOf(run, ex.localPort));
      expect(errors).toHaveLength(1);
      expect(errors[0].code).toMatch(c.code);
      expect(errors[0].status).toBe(c.status);
      // The client reads the same reason the event gives.
      expect(res.text).toBe(`${errors[0].message}\n`);
      expect(mine.filter((e) => e.type === 'response').map((e) => (e as EventOf<'response'>).status)).toEqual([c.status]);
      // The answer is in the transcript too.
      const out = mine.filter((e): e is EventOf<'transcript'> => e.type === 'transcript' && e.dir === 'out');
      expect(Buffer.concat(out.map((t) => Buffer.from(t.data, t.encoding))).toString('latin1')).toBe(ex.text);
      await goodRequestGets200();
    });
  }

  it('a client that connects and sends nothing → 408 after --read-timeout, then a good request → 200', async () => {
    const t0 = Date.now();
    const ex = await rawRequest(run.port, [], { timeoutMs: 10_000 });
    const waited = Date.now() - t0;
    expect(parseResponse(ex.received).status).toBe(408);
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(8_000);
    const { errors } = await connEvents(run, await connOf(run, ex.localPort));
    expect(errors).toMatchObject([{ code: 'READ_TIMEOUT', status: 408 }]);
    expect(errors[0].message).toMatch(/sent no request within 1 s/);
    await goodRequestGets200();
  });

  it('the server process is the same one throughout', () => {
    expect(run.of('stopped')).toEqual([]);
    expect(run.proc.exitCode).toBeNull();
  });
});
