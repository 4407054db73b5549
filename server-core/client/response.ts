// A small, strict-enough HTTP/1.x response reader fed raw socket bytes, so the client knows
// exactly when a response is complete (Content-Length, chunked, or read to end-of-file) while
// the transcript keeps every byte as it arrived. Framing follows RFC 9112 §6.3.
import type { HeaderList } from '../events';

export type Framing = 'none' | 'length' | 'chunked' | 'eof';

export interface ResponseHead {
  version: string;
  status: number;
  reason: string;
  headers: HeaderList;
}

type ChunkState = 'size' | 'data' | 'data-end' | 'trailer';

const MAX_HEAD = 64 * 1024;

export class ResponseReader {
  state: 'head' | 'body' | 'done' | 'error' = 'head';
  /** The final (non-1xx) response head. */
  head: ResponseHead | null = null;
  /** 1xx responses seen before it (100 Continue, 103 Early Hints). */
  readonly interim: ResponseHead[] = [];
  framing: Framing | null = null;
  /** Body bytes (chunked: payload only, without the chunk framing). */
  bodyBytes = 0;
  /** Bytes of the head(s), for the wire total. */
  headBytes = 0;
  /** Bytes that arrived after the response was complete. */
  extraBytes = 0;
  error: string | null = null;

  private readonly method: string;
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private chunk: ChunkState = 'size';

  constructor(method = 'GET') {
    this.method = method.toUpperCase();
  }

  get complete(): boolean {
    return this.state === 'done';
  }

  /** Keep-alive chosen by the server: the connection may stay open after this response. */
  get keepAlive(): boolean {
    const h = this.head;
    if (!h) return false;
    const conn = header(h.headers, 'connection')?.toLowerCase() ?? '';
    if (conn.split(',').some((t) => t.trim() === 'close')) return false;
    if (h.version === '1.0') return conn.split(',').some((t) => t.trim() === 'keep-alive');
    return true;
  }

  feed(data: Buffer): void {
    if (this.state === 'done') {
      this.extraBytes += data.length;
      return;
    }
    if (this.state === 'error') return;
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    while (this.pending.length > 0 && (this.state === 'head' || this.state === 'body')) {
      const progressed = this.state === 'head' ? this.readHead() : this.readBody();
      if (!progressed) break;
    }
    if (this.complete && this.pending.length) {
      this.extraBytes += this.pending.length;
      this.pending = Buffer.alloc(0);
    }
  }

  /** The peer closed. A read-to-EOF body is then complete; anything else unfinished is not. */
  end(): void {
    if (this.state === 'body' && this.framing === 'eof') this.state = 'done';
  }

  private fail(message: string): false {
    this.state = 'error';
    this.error = message;
    return false;
  }

  private readHead(): boolean {
    const end = headEnd(this.pending);
    if (end < 0) {
      if (this.pending.length > MAX_HEAD) return this.fail('the response head is larger than 64 KiB');
      // Fail early on bytes that cannot start a status line, e.g. a server that answers garbage.
      const probe = this.pending.subarray(0, 5).toString('latin1');
      if (!'HTTP/'.startsWith(probe)) return this.fail(`it starts with ${JSON.stringify(this.pending.subarray(0, 40).toString('latin1'))}`);
      return false;
    }
    const text = this.pending.subarray(0, end).toString('latin1').replace(/\r$/, '');
    const headLen = headLength(this.pending, end);
    this.headBytes += headLen;
    this.pending = this.pending.subarray(headLen);
    const head = parseHead(text);
    if (typeof head === 'string') return this.fail(head);
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      this.interim.push(head);
      return true;
    }
    this.head = head;
    const framing = framingOf(this.method, head);
    if (typeof framing !== 'object') return this.fail(framing);
    this.framing = framing.framing;
    this.remaining = framing.length;
    if (this.framing === 'none' || (this.framing === 'length' && this.remaining === 0)) this.state = 'done';
    else this.state = 'body';
    return true;
  }

  private readBody(): boolean {
    if (this.framing === 'eof') {
      this.bodyBytes += this.pending.length;
      this.pending = Buffer.alloc(0);
      return false;
    }
    if (this.framing === 'length') {
      const take = Math.min(this.remaining, this.pending.length);
      this.bodyBytes += take;
      this.remaining -= take;
      this.pending = this.pending.subarray(take);
      if (this.remaining === 0) this.state = 'done';
      return take > 0;
    }
    return this.readChunked();
  }

  private readChunked(): boolean {
    switch (this.chunk) {
      case 'size': {
        const line = takeLine(this.pending);
        if (!line) return this.pending.length > 1024 ? this.fail('a chunk-size line is too long') : false;
        this.pending = this.pending.subarray(line.used);
        const sizeText = line.text.split(';')[0].trim();
        if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) return this.fail(`bad chunk size ${JSON.stringify(line.text)}`);
        this.remaining = parseInt(sizeText, 16);
        this.chunk = this.remaining === 0 ? 'trailer' : 'data';
        return true;
      }
      case 'data': {
        const take = Math.min(this.remaining, this.pending.length);
        this.bodyBytes += take;
        this.remaining -= take;
        this.pending = this.pending.subarray(take);
        if (this.remaining === 0) this.chunk = 'data-end';
        return take > 0;
      }
      case 'data-end': {
        const line = takeLine(this.pending);
        if (!line) return this.pending.length > 2 ? this.fail('a chunk is longer than its size') : false;
        if (line.text !== '') return this.fail('a chunk is longer than its size');
        this.pending = this.pending.subarray(line.used);
        this.chunk = 'size';
        return true;
      }
      case 'trailer': {
        const line = takeLine(this.pending);
        if (!line) return this.pending.length > MAX_HEAD ? this.fail('the chunked trailer is too long') : false;
        this.pending = this.pending.subarray(line.used);
        if (line.text === '') this.state = 'done';
        return true;
      }
    }
  }
}

/** First header value by case-insensitive name. */
export function header(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === n)?.[1];
}

/** Index where the head's last line ends (before the blank line), or -1. Accepts bare LF. */
function headEnd(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return i;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i;
  }
  return -1;
}

/** Bytes up to and including the blank line, given headEnd's index (the LF ending the last line). */
function headLength(buf: Buffer, end: number): number {
  return buf[end + 1] === 0x0a ? end + 2 : end + 3;
}

function takeLine(buf: Buffer): { text: string; used: number } | null {
  const lf = buf.indexOf(0x0a);
  if (lf < 0) return null;
  const endText = lf > 0 && buf[lf - 1] === 0x0d ? lf - 1 : lf;
  return { text: buf.subarray(0, endText).toString('latin1'), used: lf + 1 };
}

/** Status line and header fields; an error message when malformed. */
export function parseHead(text: string): ResponseHead | string {
  const lines = text.split(/\r?\n/);
  const statusLine = lines[0];
  const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) return `the status line is ${JSON.stringify(statusLine.slice(0, 80))}`;
  const headers: HeaderList = [];
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && headers.length) {
      // obs-fold: a continuation of the previous field's value.
      headers[headers.length - 1][1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return `the header line ${JSON.stringify(line.slice(0, 80))} has no name`;
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { version: m[1], status: Number(m[2]), reason: m[3] ?? '', headers };
}

function framingOf(method: string, head: ResponseHead): { framing: Framing; length: number } | string {
  const s = head.status;
  if (method === 'HEAD' || s === 204 || s === 304 || s === 101 || (s >= 100 && s < 200)) return { framing: 'none', length: 0 };
  const te = head.headers.filter(([k]) => k.toLowerCase() === 'transfer-encoding').map(([, v]) => v.toLowerCase());
  if (te.length) {
    const codings = te.join(',').split(',').map((c) => c.trim()).filter(Boolean);
    return codings[codings.length - 1] === 'chunked' ? { framing: 'chunked', length: 0 } : { framing: 'eof', length: 0 };
  }
  const cls = head.headers.filter(([k]) => k.toLowerCase() === 'content-length').flatMap(([, v]) => v.split(',').map((x) => x.trim()));
  if (cls.length) {
    if (!cls.every((v) => /^\d{1,15}$/.test(v))) return `Content-Length is ${JSON.stringify(cls.join(', '))}`;
    if (new Set(cls.map(Number)).size > 1) return `it has conflicting Content-Length values (${cls.join(', ')})`;
    return { framing: 'length', length: Number(cls[0]) };
  }
  return { framing: 'eof', length: 0 };
}
