// Reading a recording, line by line, tolerant of a damaged tail: a file cut off while it was
// written (a crash, a full disk) or damaged after some line opens up to that line, and says
// how much was readable. A file from a newer format version, or that is no recording at all,
// is refused. Problems come back as data; the CLI (strings.ts) and the app put them in words.
// Browser-safe: the renderer uses this too.
export { parseEventLine };
import { parseEventLine } from '../event-json';
import type { ForkscopeEvent } from '../events';
import { HeaderSchema, RECORDING_FORMAT, RECORDING_VERSION, type RecordingHeader } from './format';

/** Why a file cannot be opened at all. */
export type Refusal =
  | { kind: 'empty' }
  /** Not a recording. `looksLike` names what it seems to be, when that helps. */
  | { kind: 'foreign'; looksLike: 'events' | 'har' | 'json' | 'text' | 'binary' }
  | { kind: 'newer'; version: number; writtenBy: string }
  /** A recording header that is damaged (a field missing or of the wrong kind). */
  | { kind: 'bad-header'; detail: string };

/** A damaged part after which nothing more was read; everything before it is usable. */
export interface Damage {
  /** truncated: the file ends in the middle of a line. corrupt: a whole line that is not an event. */
  kind: 'truncated' | 'corrupt';
  /** 1-based line number of the broken line (the header is line 1). */
  line: number;
  /** Events read before it. */
  events: number;
  /** `t` of the last event read (ms), null when none was. */
  lastT: number | null;
}

/** What a first line that is not a recording header seems to be. */
function guess(line: string): Extract<Refusal, { kind: 'foreign' }>['looksLike'] {
  if (/[\u0000-\u0008\u000e-\u001f]/.test(line.slice(0, 512))) return 'binary';
  if (parseEventLine(line)) return 'events';
  const trimmed = line.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return /"log"\s*:/.test(line) ? 'har' : 'json';
  return 'text';
}

/**
 * Feed it the file's lines in order (without their line ends); it keeps the header and hands back
 * events. After a refusal or damage it ignores the rest.
 */
export class RecordingParser {
  header: RecordingHeader | null = null;
  refusal: Refusal | null = null;
  damage: Damage | null = null;
  /** Lines taken so far (the header included). */
  lines = 0;
  events = 0;
  lastT: number | null = null;

  /** False once a refusal or damage stopped the reading. */
  get reading(): boolean {
    return this.refusal === null && this.damage === null;
  }

  /**
   * One line. `last`: it is the file's final line and had no line end after it (a write cut short
   * leaves exactly that). Returns the event on it, or null (the header, a blank line, a problem).
   */
  line(text: string, last = false): ForkscopeEvent | null {
    if (!this.reading) return null;
    this.lines++;
    if (this.header === null) {
      this.takeHeader(text);
      return null;
    }
    if (text.trim() === '') return null;
    const e = parseEventLine(text);
    if (!e) {
      this.damage = { kind: last ? 'truncated' : 'corrupt', line: this.lines, events: this.events, lastT: this.lastT };
      return null;
    }
    this.events++;
    this.lastT = e.t;
    return e;
  }

  /** Call when the input ended: a file with no header line at all is empty. */
  end(): void {
    if (this.header === null && this.refusal === null) this.refusal = { kind: 'empty' };
  }

  private takeHeader(text: string): void {
    if (text.trim() === '') {
      this.lines--; // leading blank lines are not the header
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      this.refusal = { kind: 'foreign', looksLike: guess(text) };
      return;
    }
    const h = v as { format?: unknown; version?: unknown; forkscope?: unknown };
    if (typeof v !== 'object' || v === null || h.format !== RECORDING_FORMAT) {
      this.refusal = { kind: 'foreign', looksLike: guess(text) };
      return;
    }
    // The version first: a newer format may have changed the rest of the header.
    if (typeof h.version === 'number' && h.version > RECORDING_VERSION) {
      this.refusal = { kind: 'newer', version: h.version, writtenBy: typeof h.forkscope === 'string' ? h.forkscope : '?' };
      return;
    }
    const parsed = HeaderSchema.safeParse(v);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.refusal = { kind: 'bad-header', detail: `${issue?.path.join('.') || 'header'}: ${issue?.message ?? 'invalid'}` };
      return;
    }
    this.header = parsed.data as RecordingHeader;
  }
}

export interface Recording {
  header: RecordingHeader;
  events: ForkscopeEvent[];
  damage: Damage | null;
}

/** A whole recording held as text (the app, tests). */
export function parseRecording(text: string): Recording | { refusal: Refusal } {
  const parser = new RecordingParser();
  const events: ForkscopeEvent[] = [];
  let start = 0;
  while (start < text.length && parser.reading) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    const e = parser.line(line, nl < 0);
    if (e) events.push(e);
    start = end + 1;
  }
  parser.end();
  if (parser.refusal || !parser.header) return { refusal: parser.refusal ?? { kind: 'empty' } };
  return { header: parser.header, events, damage: parser.damage };
}
