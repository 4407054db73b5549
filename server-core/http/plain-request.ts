// Reading one request whole from the bytes already received, with llhttp — Node's own parser,
// through the binding its http server uses — for the direct path (direct.ts). It answers one
// question: are these bytes exactly one complete, plain request? A plain request is one Node's
// http server would hand straight to the app: HTTP/1.x, Host present on 1.1, no Expect, no
// Upgrade or CONNECT, a body within the limit, nothing after it. Anything else — bad input,
// a request still arriving, pipelining — is left to Node's http server (connection.ts), which
// has its answer for each.
import { HTTPParser, methods } from '_http_common';
import type { HttpLimits } from './types';

export interface PlainRequest {
  method: string;
  url: string;
  versionMajor: number;
  versionMinor: number;
  /** Names and values alternating, as received. */
  rawHeaders: string[];
  host: string | undefined;
  body: Buffer;
  /** The client asked to keep the connection open (HTTP/1.1 by default, 1.0 with keep-alive). */
  keepAlive: boolean;
}

const EMPTY = Buffer.alloc(0);

// One parser for the process, initialized anew for each request (a fresh parser per request
// would cost more than the parse). Its callbacks write into `current`.
const parser = new HTTPParser();
let current: { begun: number; headers: string[]; url: string; head: PlainRequest | null; body: Buffer[]; bodyBytes: number; done: boolean } | null = null;

parser[HTTPParser.kOnMessageBegin] = (): void => {
  // A second message begun: bytes after the request (pipelining, or junk).
  if (current) current.begun++;
};

parser[HTTPParser.kOnHeaders] = (headers: string[], url: string): void => {
  // More than 32 header lines come in several calls before the last one.
  if (!current) return;
  current.headers.push(...headers);
  current.url += url;
};
parser[HTTPParser.kOnHeadersComplete] = (
  major: number,
  minor: number,
  headers: string[] | undefined,
  method: number,
  url: string | undefined,
  _status: unknown,
  _reason: unknown,
  upgrade: boolean,
  keepAlive: boolean,
): number => {
  if (!current) return 0;
  const all = headers ? (current.headers.length ? [...current.headers, ...headers] : headers) : current.headers;
  const name = methods[method];
  if (upgrade || name === undefined || name === 'CONNECT') return 0;
  current.head = {
    method: name,
    url: url ?? current.url,
    versionMajor: major,
    versionMinor: minor,
    rawHeaders: all,
    host: undefined,
    body: EMPTY,
    keepAlive,
  };
  return 0;
};
parser[HTTPParser.kOnBody] = (chunk: Buffer): void => {
  if (!current) return;
  // The chunk is a view of the caller's buffer, which is reused: copy.
  current.body.push(Buffer.from(chunk));
  current.bodyBytes += chunk.length;
};
parser[HTTPParser.kOnMessageComplete] = (): void => {
  if (current) current.done = true;
};

/** The one plain request `data` holds exactly, or null when it holds anything else. */
export function readPlainRequest(data: Buffer, limits: HttpLimits): PlainRequest | null {
  current = { begun: 0, headers: [], url: '', head: null, body: [], bodyBytes: 0, done: false };
  try {
    parser.initialize(HTTPParser.REQUEST, {}, limits.maxHeaderBytes, HTTPParser.kLenientNone);
    const parsed = parser.execute(data);
    const { head } = current;
    if (typeof parsed !== 'number' || parsed !== data.length || !current.done || current.begun !== 1 || !head) return null;
    if (current.bodyBytes > limits.maxBodyBytes) return null;
    head.body = current.body.length === 1 ? current.body[0] : current.body.length ? Buffer.concat(current.body, current.bodyBytes) : EMPTY;
    return isPlain(head) ? head : null;
  } finally {
    current = null;
  }
}

function isPlain(req: PlainRequest): boolean {
  if (req.versionMajor !== 1) return false;
  const h = req.rawHeaders;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i];
    // Only the few names that matter are compared, without lower-casing every header.
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (req.host !== undefined) return false; // two Host headers: Node's http decides (400)
      req.host = h[i + 1];
    } else if (name.length === 6 && name.toLowerCase() === 'expect') return false;
  }
  return req.versionMinor === 0 || req.host !== undefined;
}
