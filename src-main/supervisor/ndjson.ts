// The master speaks NDJSON on stdout: one event per line. Chunks from the pipe cut lines
// anywhere; this joins them and hands back whole lines.
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

/** Parses one line into an event; null when it is not one (server-core/event-json.ts). */
export { parseEventLine as parseEvent } from '../../server-core/event-json';
