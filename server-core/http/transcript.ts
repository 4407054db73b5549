// The transcript tap's recorder: the exact bytes of one direction of one connection, capped.
// Bytes are coalesced and flushed as one `transcript` event at the moments that matter
// (request parsed, response finished, bad input answered, connection closed), not per
// TCP segment: fewer events, and each one reads as a unit.
import { isUtf8 } from 'node:buffer';
import type { Emit } from '../emit';

/** Bytes, or a latin1 string: one byte per character (http writes its header block so). */
export type Bytes = Uint8Array | string;

const NOT_ASCII = /[^\x00-\x7f]/;

export class Transcript {
  private pending: Bytes[] = [];
  private pendingBytes = 0;
  private recorded = 0;
  private truncated = false;
  /** The event carrying `truncated: true` has gone out; later bytes are not reported. */
  private ended = false;

  constructor(
    private readonly conn: number,
    private readonly dir: 'in' | 'out',
    private readonly cap: number,
    private readonly emit: Emit,
  ) {}

  /** Total bytes kept so far (at most the cap). */
  get bytes(): number {
    return this.recorded;
  }

  /**
   * `owned`: the bytes are a fresh copy nobody else holds, kept as they are; other bytes are
   * copied, since their owner may reuse them. Strings are immutable: kept as they are.
   */
  record(chunk: Bytes, owned = false): void {
    if (this.truncated || chunk.length === 0) return;
    const room = this.cap - this.recorded;
    let keep = chunk.length > room ? chunk.slice(0, room) : chunk;
    if (keep.length < chunk.length) this.truncated = true;
    if (keep.length === 0) return;
    if (typeof keep !== 'string' && !owned) keep = Buffer.from(keep);
    this.pending.push(keep);
    this.pendingBytes += keep.length;
    this.recorded += keep.length;
  }

  /** Emits what was recorded since the last flush (nothing when there is nothing new). */
  flush(): void {
    if (this.ended || (this.pendingBytes === 0 && !this.truncated)) return;
    const parts = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const text = asText(parts);
    let data: string;
    let utf8: boolean;
    if (text !== null) {
      data = text;
      utf8 = true;
    } else {
      const bytes = concat(parts);
      utf8 = isUtf8(bytes);
      data = bytes.toString(utf8 ? 'utf8' : 'base64');
    }
    this.emit({
      type: 'transcript',
      conn: this.conn,
      dir: this.dir,
      data,
      encoding: utf8 ? 'utf8' : 'base64',
      truncated: this.truncated,
    });
    if (this.truncated) this.ended = true;
  }
}

/** A connection's two transcripts: the bytes that came in, and those that went out. */
export function transcriptsOf(conn: number, cap: number, emit: Emit): { tIn: Transcript; tOut: Transcript } {
  return { tIn: new Transcript(conn, 'in', cap, emit), tOut: new Transcript(conn, 'out', cap, emit) };
}

/**
 * The parts as UTF-8 text when that is quick to see — ASCII strings and buffers that are each
 * valid UTF-8 — else null (the caller then checks the bytes as a whole: a character may
 * straddle two parts).
 */
function asText(parts: Bytes[]): string | null {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      if (NOT_ASCII.test(part)) return null;
      text += part;
    } else {
      if (!isUtf8(part)) return null;
      text += Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('utf8');
    }
  }
  return text;
}

function concat(parts: Bytes[]): Buffer {
  const buffers = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  return buffers.length === 1 ? buffers[0] : Buffer.concat(buffers);
}
