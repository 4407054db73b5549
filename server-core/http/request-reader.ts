// Reading requests as their bytes arrive: llhttp — Node's own parser, through the binding its
// http server uses — is fed each recv()'s bytes, and what comes out is a queue of whole
// requests (head and body: the gateways hand an app a finished body) or the refusal that ends
// the connection. A parse error is a refusal the moment its byte arrives, in the head or in
// the body; the checks llhttp does not make (bad-input.ts checkHead) run as soon as the head is
// complete, so a refused body is never read. Requests pipelined behind one another queue up
// and are answered in order.
import { HTTPParser, methods } from '_http_common';
import { checkHead, classifyParseError, type Refusal } from './bad-input';
import { H } from './strings';
import type { HttpLimits } from './types';

/** One request, read whole. */
export interface ParsedRequest {
  method: string;
  /** The target exactly as sent ('/path?q', or absolute-form 'http://host/path'). */
  target: string;
  versionMajor: number;
  versionMinor: number;
  /** Names and values alternating, as received. */
  rawHeaders: string[];
  /** The Host header's value (undefined when none). */
  host: string | undefined;
  body: Buffer;
  /** The client asked to keep the connection open (HTTP/1.1 by default, 1.0 with keep-alive). */
  keepAlive: boolean;
  /** Upgrade (WebSocket, h2c): the bytes after this request are not HTTP/1; it is the last one. */
  upgrade: boolean;
}

export type ReadItem = { request: ParsedRequest; refusal?: undefined } | { refusal: Refusal; request?: undefined };

const EMPTY = Buffer.alloc(0);
const READER = Symbol('forkscope.reader');
const HTTP_VERSION = / HTTP\/\d/;

type Parser = InstanceType<typeof HTTPParser> & { [READER]: RequestReader | null };

// llhttp calls these with `this` the parser; each parser belongs to one reader at a time.
function onMessageBegin(this: Parser): void {
  this[READER]?.begin();
}
function onHeaders(this: Parser, headers: string[], url: string): void {
  // More than 32 header lines come in several calls before the head is complete.
  this[READER]?.moreHeaders(headers, url);
}
function onHeadersComplete(
  this: Parser,
  major: number,
  minor: number,
  headers: string[] | undefined,
  method: number,
  url: string | undefined,
  _status: unknown,
  _reason: unknown,
  upgrade: boolean,
  keepAlive: boolean,
): number {
  this[READER]?.headComplete(major, minor, headers, method, url, upgrade, keepAlive);
  return 0;
}
function onBody(this: Parser, chunk: Buffer): void {
  this[READER]?.bodyChunk(chunk);
}
function onMessageComplete(this: Parser): void {
  this[READER]?.complete();
}

/** Parsers are kept for reuse: making one costs more than parsing a small request. */
const spare: Parser[] = [];

function takeParser(reader: RequestReader, maxHeaderBytes: number): Parser {
  let p = spare.pop();
  if (!p) {
    p = new HTTPParser() as Parser;
    p[HTTPParser.kOnMessageBegin] = onMessageBegin;
    p[HTTPParser.kOnHeaders] = onHeaders;
    p[HTTPParser.kOnHeadersComplete] = onHeadersComplete;
    p[HTTPParser.kOnBody] = onBody;
    p[HTTPParser.kOnMessageComplete] = onMessageComplete;
  }
  p.initialize(HTTPParser.REQUEST, {}, maxHeaderBytes, HTTPParser.kLenientNone);
  p[READER] = reader;
  return p;
}

export class RequestReader {
  private parser: Parser | null;
  private readonly queue: ReadItem[] = [];
  /** The message being read. */
  private headers: string[] = [];
  private url = '';
  private head: ParsedRequest | null = null;
  private body: Buffer[] = [];
  private bodyBytes = 0;
  /** A message has begun and is not complete yet (its deadlines run). */
  private inMessage = false;
  /** Requests read whole so far. */
  private count = 0;
  /** The connection's first bytes, until the end of its first line has arrived (HTTP/0.9 check). */
  private firstLine: Buffer | null = EMPTY;
  /** No more bytes are parsed: a refusal ends the connection, or an upgrade ended HTTP on it. */
  private stopped = false;
  /** The head asked for `100 Continue` and passed its checks: the caller sends it now. */
  wantsContinue = false;

  constructor(private readonly limits: HttpLimits) {
    this.parser = takeParser(this, limits.maxHeaderBytes);
  }

  /** Part of a next request has arrived (its deadlines run). */
  get started(): boolean {
    return this.inMessage;
  }

  /** The head of the request being read is complete: its body is arriving. */
  get inBody(): boolean {
    return this.head !== null;
  }

  /** Nothing more is read as HTTP (a refusal is queued, or an upgrade). */
  get ended(): boolean {
    return this.stopped;
  }

  /** The next whole request (or refusal), in order, if one has been read. */
  take(): ReadItem | undefined {
    return this.queue.shift();
  }

  /** Feeds bytes as they arrive. */
  feed(chunk: Buffer): void {
    if (this.stopped || !this.parser) return;
    const parsed = this.parser.execute(chunk);
    if (parsed instanceof Error) return this.refuse(classifyParseError(parsed, this.limits.maxHeaderBytes));
    if (this.firstLine !== null && this.count === 0 && this.head === null && !this.stopped) this.checkFirstLine(chunk);
  }

  /** The client has closed its side: a request it left unfinished is an error (nobody to answer). */
  end(): void {
    if (this.stopped || !this.parser || !this.inMessage) return;
    const r = this.parser.finish();
    if (r instanceof Error) this.refuse(classifyParseError(r, this.limits.maxHeaderBytes));
  }

  /** Done with the connection: the parser goes back for reuse. */
  release(): void {
    const p = this.parser;
    if (!p) return;
    this.parser = null;
    p[READER] = null;
    if (spare.length < 8) spare.push(p);
  }

  // ── llhttp's callbacks ──
  begin(): void {
    this.inMessage = true;
    this.headers = [];
    this.url = '';
    this.head = null;
    this.body = [];
    this.bodyBytes = 0;
  }

  moreHeaders(headers: string[], url: string): void {
    for (const h of headers) this.headers.push(h);
    this.url += url;
  }

  headComplete(major: number, minor: number, headers: string[] | undefined, method: number, url: string | undefined, upgrade: boolean, keepAlive: boolean): void {
    const raw = headers ? (this.headers.length ? [...this.headers, ...headers] : headers) : this.headers;
    const facts = { method: methods[method] ?? '', versionMajor: major, versionMinor: minor, hosts: 0, expect: undefined as string | undefined, contentLength: undefined as number | undefined };
    let host: string | undefined;
    // Only the few names that matter are compared, without lower-casing every header.
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i];
      if (name.length === 4 && name.toLowerCase() === 'host') {
        facts.hosts++;
        host ??= raw[i + 1];
      } else if (name.length === 6 && name.toLowerCase() === 'expect') facts.expect = raw[i + 1];
      else if (name.length === 14 && name.toLowerCase() === 'content-length') facts.contentLength = Number(raw[i + 1]);
    }
    this.firstLine = null;
    const refusal = checkHead(facts, this.limits.maxBodyBytes);
    if (refusal) return this.refuse(refusal);
    if (facts.expect !== undefined) this.wantsContinue = true;
    this.head = { method: facts.method, target: url ?? this.url, versionMajor: major, versionMinor: minor, rawHeaders: raw, host, body: EMPTY, keepAlive, upgrade };
  }

  bodyChunk(chunk: Buffer): void {
    if (this.stopped) return;
    this.bodyBytes += chunk.length;
    // A body with no length up front (chunked) is refused the moment it grows past the limit.
    if (this.bodyBytes > this.limits.maxBodyBytes) {
      return this.refuse({ status: 413, code: 'BODY_TOO_LARGE', message: H.bodyTooLarge(this.limits.maxBodyBytes, null) });
    }
    // The chunk is a view of the caller's buffer: copy.
    this.body.push(Buffer.from(chunk));
  }

  complete(): void {
    const req = this.head;
    if (this.stopped || !req) return;
    req.body = this.body.length === 1 ? this.body[0] : this.body.length ? Buffer.concat(this.body, this.bodyBytes) : EMPTY;
    this.queue.push({ request: req });
    this.head = null;
    this.body = [];
    this.inMessage = false;
    this.count++;
    // After an upgrade the connection no longer speaks HTTP/1: nothing more is parsed.
    if (req.upgrade) this.stopped = true;
  }

  // ── refusals ──
  private refuse(refusal: Refusal): void {
    if (this.stopped) return;
    this.stopped = true;
    this.head = null;
    this.queue.push({ refusal });
  }

  /** A connection that opens with an HTTP/0.9 request line is refused as soon as the line has ended. */
  private checkFirstLine(chunk: Buffer): void {
    const line = this.firstLine && this.firstLine.length ? Buffer.concat([this.firstLine, chunk]) : chunk;
    const verdict = firstLineLacksVersion(line);
    if (verdict === null) {
      this.firstLine = line.length <= this.limits.maxHeaderBytes ? line : null;
      return;
    }
    this.firstLine = null;
    if (verdict) this.refuse({ status: 400, code: 'HTTP_0_9', message: H.http09() });
  }
}

/**
 * A request line without a version (HTTP/0.9) makes llhttp wait for headers that will never
 * come. Given a connection's first bytes: true when its first line has ended without an HTTP
 * version, false when it has one, null when the line has not ended yet. (Later requests on a
 * kept connection are bounded by the head deadline.)
 */
export function firstLineLacksVersion(bytes: Buffer): boolean | null {
  // Empty lines before the request line are allowed (RFC 9112, section 2.2).
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  const nl = bytes.indexOf(0x0a, start);
  if (nl < 0) return null;
  return !HTTP_VERSION.test(bytes.subarray(start, nl).toString('latin1'));
}
