// Issue 15, D1 and the two smaller truths, through the real `forkscope serve` in every model,
// with and without keep-alive: a parse error inside a request's body is answered 400 at once
// (as Node's http server does), with its `error` and `close` events; an HTTP/0.9 request line
// is answered 400 at once; an absolute-form target reaches the app as a path, its host as the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../server-core/events';
import { parseResponse, rawRequest } from '../helpers/raw-http';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

const CHUNKED = 'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';
/** Bad input inside the body (after a head that parses): each is a 400 the moment it arrives. */
const BODY_ERRORS: { name: string; bytes: string }[] = [
  { name: 'Transfer-Encoding: xchunked', bytes: 'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\nabc' },
  { name: 'a chunk size that overflows', bytes: `${CHUNKED}ffffffffffffffffff\r\n` },
  { name: 'chunk lines ended by LF alone', bytes: `${CHUNKED}5\nhello\n0\n\n` },
  { name: "a chunk extension that is only ';'", bytes: `${CHUNKED}5;\r\nhello\r\n0\r\n\r\n` },
  { name: 'Content-Length among the trailers', bytes: `${CHUNKED}5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n` },
];

/**
 * "At once": well under the read timeout (10 s, the default here), which a server that waited
 * for more bytes would reach — with room for a fork worker started on a loaded machine.
 */
const AT_ONCE_MS = 5_000;

/** The connection the client at `localPort` was (a prefork worker's events reach the master's output a moment later). */
async function connOf(run: ServerRun, localPort: number): Promise<number> {
  return (await run.waitFor('accept', (a) => a.peer.port === localPort, 5_000)).conn;
}

const MODELS = [
  ['iterative', []],
  ['fork', []],
  ['prefork', ['--workers', '2']],
] as const;

describe.each(MODELS)('--model %s', (model, extra) => {
  for (const keepAlive of [false, true]) {
    describe(keepAlive ? 'with --keep-alive' : 'without keep-alive', () => {
      let run: ServerRun;
      beforeAll(async () => {
        run = await startServer(['echo', '--model', model, ...extra, '--port', '0', ...(keepAlive ? ['--keep-alive'] : [])]);
        if (model === 'prefork') await run.waitForCount('worker-ready', 2);
      });
      afterAll(async () => {
        await run.stop();
      });

      for (const c of BODY_ERRORS) {
        it(`D1: ${c.name} → 400 at once, with error and close events`, async () => {
          const t0 = performance.now();
          const ex = await rawRequest(run.port, [c.bytes], { timeoutMs: 12_000 });
          const ms = performance.now() - t0;
          expect(ex.received.length, 'an answer').toBeGreaterThan(0);
          expect(parseResponse(ex.received).status).toBe(400);
          expect(ms).toBeLessThan(AT_ONCE_MS);
          const conn = await connOf(run, ex.localPort);
          await run.waitFor('close', (e) => e.conn === conn, 5_000);
          const errors = run.of('error').filter((e) => e.conn === conn);
          expect(errors.map((e) => e.status)).toEqual([400]);
          expect(errors[0].code).toMatch(/^HPE_/);
        });
      }

      it('HTTP/0.9: a request line without a version (GET /) → 400 at once', async () => {
        const t0 = performance.now();
        const ex = await rawRequest(run.port, ['GET /\r\n'], { timeoutMs: 12_000 });
        expect(performance.now() - t0).toBeLessThan(AT_ONCE_MS);
        const res = parseResponse(ex.received);
        expect(res.status).toBe(400);
        const conn = await connOf(run, ex.localPort);
        await run.waitFor('close', (e) => e.conn === conn, 5_000);
        expect(run.of('error').find((e) => e.conn === conn)?.code).toBe('HTTP_0_9');
      });

      it('an absolute-form target reaches the app as a path, and its host as the host (PEP 3333)', async () => {
        const ex = await rawRequest(run.port, ['GET http://other.example:8080/p/q?x=1 HTTP/1.1\r\nHost: ignored.example\r\nConnection: close\r\n\r\n']);
        const res = parseResponse(ex.received);
        expect(res.status).toBe(200);
        const { environ } = JSON.parse(res.text) as { environ: Record<string, string> };
        expect(environ.PATH_INFO).toBe('/p/q');
        expect(environ.QUERY_STRING).toBe('x=1');
        expect(environ.HTTP_HOST).toBe('other.example:8080');
        const conn = await connOf(run, ex.localPort);
        const request = await run.waitFor('request', (e) => e.conn === conn);
        // The narration keeps the target as it was sent.
        expect((request as EventOf<'request'>).path).toBe('http://other.example:8080/p/q?x=1');
      });
    });
  }
});
