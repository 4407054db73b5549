// The status line and header block of an answer from connection.ts (response.ts), with the
// headers HTTP itself needs added the way Node's http server adds them (lib/_http_outgoing.js),
// so a client sees the same bytes whichever path served it: Date when the app gave none,
// `Connection` (keep-alive with its timeout, or close), then the body's framing —
// Content-Length when the whole body is known, chunked for HTTP/1.1 when it is not, and for
// HTTP/1.0 the end of the connection.
import type { HeaderList } from '../events';
import { reasonPhrase } from './reason-phrases';

export type Framing = 'length' | 'chunked' | 'close' | 'none';

export interface ResponseHead {
  /** The bytes of the head, latin1 (one byte per character). */
  text: string;
  /** The header lines it holds, in order (what the `response` event reports). */
  headers: HeaderList;
  framing: Framing;
  /** The head lets the connection stay open for another request. */
  keepOpen: boolean;
}

const CLOSE_TOKEN = /(?:^|\W)close(?:$|\W)/i;

/** No body may follow: the answer to HEAD, 1xx, 204 and 304. */
export function bodyless(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * `headers`: names and values alternating, as the gateway gave them. `wholeBody`: the length
 * of the body when it is all known now (the app ended the response before writing any of it),
 * else null. `chunkedAllowed`: the request was HTTP/1.1 or later. `keepAliveMs`: the connection
 * may stay open (the server keeps connections and the client asked to), with this idle timeout;
 * null: it closes after this response.
 */
export function buildHead(
  status: number,
  reason: string | undefined,
  headers: readonly string[],
  date: string,
  hasBody: boolean,
  wholeBody: number | null,
  chunkedAllowed: boolean,
  keepAliveMs: number | null = null,
): ResponseHead {
  let text = `HTTP/1.1 ${status} ${reason ?? reasonPhrase(status)}\r\n`;
  const sent: HeaderList = [];
  const add = (name: string, value: string): void => {
    text += `${name}: ${value}\r\n`;
    sent.push([name, value]);
  };
  let sawDate = false;
  let connection: string | null = null;
  let sawKeepAlive = false;
  let sawLength = false;
  let chunked: boolean | null = null;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    add(name, value);
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'date') sawDate = true;
        break;
      case 10: {
        const lower = name.toLowerCase();
        if (lower === 'connection') connection = value;
        else if (lower === 'keep-alive') sawKeepAlive = true;
        break;
      }
      case 14:
        if (name.toLowerCase() === 'content-length') sawLength = true;
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
        break;
    }
  }
  if (!sawDate) add('Date', date);
  // Node keeps a connection only when the client can tell where this body ends without it.
  let keepOpen = connection !== null ? !CLOSE_TOKEN.test(connection) : keepAliveMs !== null && (sawLength || chunkedAllowed);
  if (connection === null) {
    if (!keepOpen) add('Connection', 'close');
    else {
      add('Connection', 'keep-alive');
      // The app's own Keep-Alive header stands alone, as in Node.
      if (keepAliveMs && !sawKeepAlive) add('Keep-Alive', `timeout=${Math.floor(keepAliveMs / 1000)}`);
    }
  }
  let framing: Framing;
  if (!hasBody) framing = 'none';
  else if (sawLength) framing = 'length';
  else if (chunked !== null) framing = chunked ? 'chunked' : 'close';
  // HTTP/1.0 without a length from the app: the body ends with the connection — even one known
  // whole (Node adds a Content-Length only where it could have chunked instead).
  else if (!chunkedAllowed) framing = 'close';
  else if (wholeBody !== null) {
    add('Content-Length', String(wholeBody));
    framing = 'length';
  } else {
    add('Transfer-Encoding', 'chunked');
    framing = 'chunked';
  }
  if (framing === 'close') keepOpen = false;
  return { text: `${text}\r\n`, headers: sent, framing, keepOpen };
}

/** 'HTTP/1.1 200 OK\r\nA: b\r\n…\r\n\r\n' → [['A', 'b'], …]. */
export function parseHead(head: string): HeaderList {
  const out: HeaderList = [];
  let start = head.indexOf('\r\n') + 2;
  while (start > 1 && start < head.length) {
    let stop = head.indexOf('\r\n', start);
    if (stop < 0) stop = head.length;
    const colon = head.indexOf(':', start);
    if (colon > start && colon < stop) out.push([head.slice(start, colon), head.slice(colon + 1, stop).trim()]);
    start = stop + 2;
  }
  return out;
}
