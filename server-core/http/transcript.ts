// The transcript tap's recorder: the exact bytes of one direction of one connection, capped.
// Bytes are coalesced and flushed as one `transcript` event at the moments that matter
// (request parsed, response finished, bad input answered, connection closed), not per
// TCP segment: fewer events, and each one reads as a unit.
import { isUtf8 } from 'node:buffer';
import type { Emit } from '../emit';

export class Transcript {
  private pending: Buffer[] = [];
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

  record(chunk: Uint8Array): void {
    if (this.truncated || chunk.length === 0) return;
    const room = this.cap - this.recorded;
    const keep = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (keep.length < chunk.length) this.truncated = true;
    if (keep.length === 0) return;
    // A copy: the caller may reuse its buffer once the write has completed.
    this.pending.push(Buffer.from(keep));
    this.pendingBytes += keep.length;
    this.recorded += keep.length;
  }

  /** Emits what was recorded since the last flush (nothing when there is nothing new). */
  flush(): void {
    if (this.ended || (this.pendingBytes === 0 && !this.truncated)) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const text = isUtf8(data);
    this.emit({
      type: 'transcript',
      conn: this.conn,
      dir: this.dir,
      data: data.toString(text ? 'utf8' : 'base64'),
      encoding: text ? 'utf8' : 'base64',
      truncated: this.truncated,
    });
    if (this.truncated) this.ended = true;
  }
}
