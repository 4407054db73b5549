// A connection's recorded bytes cut back into its HTTP messages: the head, and the body as
// framed by Content-Length, chunked transfer coding or the end of the stream (RFC 9112 §6.3).
// For export only — the server parsed the live bytes with llhttp; this reads what it recorded.
// Browser-safe (Uint8Array, no Buffer).
import type { TranscriptEvent } from '../events';

export interface Message {
  /** Offsets in the stream: first byte, end of the head (after the blank line), end of the message. */
  start: number;
  headEnd: number;
  end: number;
  /** The head as text: start line and header lines. */
  head: string;
  startLine: string;
  headers: [string, string][];
  /** The body as the application sees it (chunked framing removed). */
  body: Uint8Array;
  /** False when the stream ended (or was cut by the recording's cap) before the message did. */
  complete: boolean;
}

const text = new TextDecoder('utf-8');
const utf8 = new TextEncoder();

/** A transcript chunk's bytes. */
export function chunkBytes(data: string, encoding: 'utf8' | 'base64' | undefined): Uint8Array {
  if (encoding !== 'base64') return utf8.encode(data);
  const bin = atob(data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** One direction of one connection: its bytes, and when each chunk was recorded. */
export class ByteStream {
  private parts: Uint8Array[] = [];
  /** Chunk start offsets and times, in order. */
  readonly offsets: number[] = [];
  readonly times: number[] = [];
  length = 0;
  truncated = false;
  private joined: Uint8Array | null = null;

  add(t: number, bytes: Uint8Array, truncated = false): void {
    this.offsets.push(this.length);
    this.times.push(t);
    this.parts.push(bytes);
    this.length += bytes.length;
    this.truncated ||= truncated;
    this.joined = null;
  }

  addTranscript(e: Pick<TranscriptEvent, 't' | 'data' | 'encoding' | 'truncated'>): void {
    this.add(e.t, chunkBytes(e.data, e.encoding), e.truncated);
  }

  bytes(): Uint8Array {
    if (this.joined) return this.joined;
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    this.joined = out;
    return out;
  }

  /** When the byte at `offset` was recorded (the chunk holding it); null past the end. */
  timeAt(offset: number): number | null {
    if (offset >= this.length || !this.offsets.length) return null;
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.times[lo];
  }
}

function indexOfBlankLine(b: Uint8Array, from: number): { at: number; len: number } | null {
  for (let i = from; i < b.length - 1; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0a) return { at: i, len: 2 };
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return { at: i, len: 3 };
  }
  return null;
}

function parseHead(head: string): { startLine: string; headers: [string, string][] } {
  const lines = head.split(/\r?\n/);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { startLine: lines[0] ?? '', headers };
}

export function headerValue(headers: [string, string][], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** Decodes a chunked body starting at `from`; returns the payload and where the message ends. */
function dechunk(b: Uint8Array, from: number): { body: Uint8Array; end: number; complete: boolean } {
  const parts: Uint8Array[] = [];
  let at = from;
  for (;;) {
    let nl = b.indexOf(0x0a, at);
    if (nl < 0) return { body: concat(parts), end: b.length, complete: false };
    const size = parseInt(text.decode(b.subarray(at, nl)).split(';')[0].trim(), 16);
    at = nl + 1;
    if (!Number.isFinite(size) || size < 0) return { body: concat(parts), end: b.length, complete: false };
    if (size === 0) {
      // Trailer lines until a blank line.
      for (;;) {
        nl = b.indexOf(0x0a, at);
        if (nl < 0) return { body: concat(parts), end: b.length, complete: false };
        const blank = nl === at || (nl === at + 1 && b[at] === 0x0d);
        at = nl + 1;
        if (blank) return { body: concat(parts), end: at, complete: true };
      }
    }
    if (at + size > b.length) {
      parts.push(b.subarray(at));
      return { body: concat(parts), end: b.length, complete: false };
    }
    parts.push(b.subarray(at, at + size));
    at += size;
    if (b[at] === 0x0d) at++;
    if (b[at] === 0x0a) at++;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The messages in one direction of a connection. For responses, `methods` are the requests'
 * methods in order: an answer to HEAD has no body whatever its headers (nor have 1xx, 204, 304).
 */
export function splitMessages(b: Uint8Array, kind: 'request' | 'response', methods: readonly string[] = []): Message[] {
  const out: Message[] = [];
  let at = 0;
  while (at < b.length) {
    // Stray line ends between messages are allowed (RFC 9112 §2.2).
    while (at < b.length && (b[at] === 0x0d || b[at] === 0x0a)) at++;
    if (at >= b.length) break;
    const blank = indexOfBlankLine(b, at);
    if (!blank) {
      const head = text.decode(b.subarray(at));
      out.push({ start: at, headEnd: b.length, end: b.length, head, ...parseHead(head), body: new Uint8Array(0), complete: false });
      break;
    }
    const headEnd = blank.at + blank.len;
    const head = text.decode(b.subarray(at, b[blank.at - 1] === 0x0d ? blank.at - 1 : blank.at));
    const { startLine, headers } = parseHead(head);
    const te = headerValue(headers, 'transfer-encoding')?.toLowerCase() ?? '';
    const length = headerValue(headers, 'content-length');
    let body: Uint8Array = new Uint8Array(0);
    let end = headEnd;
    let complete = true;
    const status = kind === 'response' ? Number(/^\S+\s+(\d{3})/.exec(startLine)?.[1] ?? 0) : 0;
    const interim = status >= 100 && status < 200;
    const answered = kind === 'response' && !interim ? out.filter((m) => !isInterim(m)).length : 0;
    const noBody = kind === 'response' && (interim || status === 204 || status === 304 || methods[answered]?.toUpperCase() === 'HEAD');
    if (noBody) {
      /* head only */
    } else if (/(^|,)\s*chunked\s*$/.test(te)) {
      const d = dechunk(b, headEnd);
      body = d.body;
      end = d.end;
      complete = d.complete;
    } else if (length !== undefined && /^\d+$/.test(length.trim())) {
      end = Math.min(b.length, headEnd + Number(length));
      body = b.subarray(headEnd, end);
      complete = end === headEnd + Number(length);
    } else if (kind === 'response') {
      end = b.length; // read to the end of the connection
      body = b.subarray(headEnd);
    }
    out.push({ start: at, headEnd, end, head, startLine, headers, body, complete });
    at = end;
  }
  return out;
}

export function isInterim(m: Message): boolean {
  return /^\S+\s+1\d\d\b/.test(m.startLine);
}
