// The master speaks NDJSON on stdout: one event per line. Chunks from the pipe cut lines
// anywhere; this joins them and hands back whole lines.
import type { ForkscopeEvent } from '../../server-core/events';

export class LineSplitter {
  private rest = '';

  constructor(private readonly maxLine = 8 * 1024 * 1024) {}

  /** Feeds a chunk; calls onLine for each complete, non-empty line. */
  push(chunk: string, onLine: (line: string) => void): void {
    let data = this.rest ? this.rest + chunk : chunk;
    let start = 0;
    for (;;) {
      const nl = data.indexOf('\n', start);
      if (nl < 0) break;
      if (nl > start) onLine(data.charCodeAt(nl - 1) === 13 ? data.slice(start, nl - 1) : data.slice(start, nl));
      start = nl + 1;
    }
    data = start ? data.slice(start) : data;
    // A runaway line without a newline is dropped rather than grown without bound.
    this.rest = data.length > this.maxLine ? '' : data;
  }

  /** Whatever is left after the stream ended (a last line without a newline). */
  end(onLine: (line: string) => void): void {
    if (this.rest.trim()) onLine(this.rest);
    this.rest = '';
  }
}

/** Parses one line into an event; null when it is not one (not JSON, or no type/t). */
export function parseEvent(line: string): ForkscopeEvent | null {
  if (line.charCodeAt(0) !== 123 /* { */) return null;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const e = v as { type?: unknown; t?: unknown; pid?: unknown };
  if (typeof e.type !== 'string' || typeof e.t !== 'number' || typeof e.pid !== 'number') return null;
  return v as ForkscopeEvent;
}
