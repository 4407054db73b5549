// A bare HTTP/1.1 client on a raw TCP socket, for tests that care about the socket itself:
// when the response is complete (Content-Length) and, separately, when EOF arrives.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  body: string;
  /** The client's own port: matches `accept` events' peer.port. */
  localPort: number;
  /** Resolves when the server closes its side (EOF); never, while someone keeps a copy of the connection. */
  eof: Promise<void>;
  socket: Socket;
}

/** Sends one GET and resolves once the whole response (by Content-Length) or EOF has arrived. */
export function rawGet(port: number, path: string, opts: { timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let settled = false;
    let eofResolve!: () => void;
    const eof = new Promise<void>((r) => (eofResolve = r));
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new Error(`no complete response to GET ${path} within ${opts.timeoutMs ?? 20_000} ms (got ${buf.length} bytes)`));
    }, opts.timeoutMs ?? 20_000);
    const tryComplete = (atEof: boolean): void => {
      if (settled) return;
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) {
        if (atEof) {
          settled = true;
          clearTimeout(timer);
          reject(new Error(`connection closed before a response (got ${buf.length} bytes)`));
        }
        return;
      }
      const headText = buf.subarray(0, head).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0);
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
      const body = buf.subarray(head + 4);
      if (len ? body.length >= Number(len[1]) : atEof) {
        settled = true;
        clearTimeout(timer);
        resolve({ status, body: body.toString('utf8'), localPort: socket.localPort ?? 0, eof, socket });
      }
    };
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      tryComplete(false);
    });
    socket.on('end', () => {
      eofResolve();
      tryComplete(true);
      socket.end();
    });
    socket.on('error', (err) => {
      eofResolve();
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}

/** GET that waits for EOF too (the normal, correct server). */
export async function get(port: number, path: string, timeoutMs = 20_000): Promise<RawResponse> {
  const res = await rawGet(port, path, { timeoutMs });
  await res.eof;
  return res;
}

/** Runs `count` GETs with at most `concurrency` in flight. */
export async function burst(port: number, path: string, count: number, concurrency: number): Promise<RawResponse[]> {
  const out: RawResponse[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      out.push(await get(port, path));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `pred` until true or the time is up; returns its last value. */
export async function until(pred: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (pred()) return true;
    if (Date.now() >= end) return false;
    await sleep(stepMs);
  }
}
