// Streams ?bytes=N (default 65536) in ?chunk=N pieces (default 4096), without a Content-Length:
// chunked transfer encoding on the wire, and a transcript that fills up and is truncated.
import { once } from 'node:events';
import { intParam, queryOf } from './query';
import type { BuiltinApp } from './types';

const MAX_BYTES = 100 * 1024 * 1024;
const LINE = Buffer.from('forkscope stream: abcdefghijklmnopqrstuvwxyz 0123456789 ABCDEFGHIJ\n'); // 64 bytes

/** Bytes [offset, offset + length) of the endless repetition of LINE. */
function slice(offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; ) {
    const at = (offset + i) % LINE.length;
    i += LINE.copy(out, i, at, Math.min(LINE.length, at + length - i));
  }
  return out;
}

function plan(query: string): { bytes: number; chunk: number } {
  return { bytes: intParam(query, 'bytes', 65536, 0, MAX_BYTES), chunk: intParam(query, 'chunk', 4096, 1, 1024 * 1024) };
}

/** The chunks, one per turn of the event loop, so other work (and the transcript) interleaves. */
async function* chunks(query: string): AsyncGenerator<Buffer> {
  const { bytes, chunk } = plan(query);
  for (let sent = 0; sent < bytes; sent += chunk) {
    yield slice(sent, Math.min(chunk, bytes - sent));
    await new Promise((r) => setImmediate(r));
  }
}

const HEADERS: [string, string][] = [['Content-Type', 'text/plain; charset=utf-8']];

export const stream: BuiltinApp = {
  summary: 'streams ?bytes=N (default 65536) in ?chunk=N pieces, chunked encoding',
  wsgi: (environ, startResponse) => {
    startResponse('200 OK', HEADERS);
    return chunks(environ.QUERY_STRING);
  },
  fetch: (request) => {
    const it = chunks(new URL(request.url).search.slice(1));
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value));
      },
      async cancel() {
        await it.return(undefined);
      },
    });
    return new Response(body, { headers: HEADERS });
  },
  node: async (req, res) => {
    res.writeHead(200, HEADERS.flat());
    for await (const c of chunks(queryOf(req.url ?? ''))) {
      if (res.destroyed) return;
      if (!res.write(c)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    res.end();
  },
};
