// Bytes seen on a connection, kept as display text with a cap so memory stays bounded.

export interface ByteLog {
  /** Printable text: UTF-8 as is; other bytes escaped as \xNN. */
  text: string;
  /** Bytes recorded (before the display cap). */
  bytes: number;
  /** True when the producer or our cap dropped later bytes. */
  truncated: boolean;
}

export const BYTE_LOG_CAP = 16 * 1024;
/** What an older connection keeps of each direction (the newest ones keep BYTE_LOG_CAP). */
export const OLD_LOG_CAP = 2 * 1024;

export function emptyLog(): ByteLog {
  return { text: '', bytes: 0, truncated: false };
}

/** Appends one chunk (text, or base64 for bytes that were not valid UTF-8). */
export function appendChunk(log: ByteLog, data: string, encoding: 'utf8' | 'base64' | undefined, truncated = false): void {
  const text = encoding === 'base64' ? escapeBinary(decodeBase64(data)) : data;
  log.bytes += encoding === 'base64' ? Math.floor((data.replace(/=+$/, '').length * 3) / 4) : utf8Length(data);
  const room = BYTE_LOG_CAP - log.text.length;
  if (room <= 0) {
    log.truncated = true;
  } else if (text.length > room) {
    log.text += text.slice(0, room);
    log.truncated = true;
  } else {
    log.text += text;
  }
  if (truncated) log.truncated = true;
}

/** Cuts a log down to `cap` characters (older connections: memory stays bounded). */
export function trimLog(log: ByteLog, cap: number): void {
  if (log.text.length <= cap) return;
  log.text = log.text.slice(0, cap);
  log.truncated = true;
}

/** base64 → a string with one char per byte (0–255). */
export function decodeBase64(b64: string): string {
  try {
    return atob(b64);
  } catch {
    return '';
  }
}

/** One-char-per-byte string → readable text: printable ASCII, CR/LF/TAB kept, the rest \xNN. */
export function escapeBinary(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) out += raw[i];
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Splits an HTTP message into head lines and body at the first blank line. */
export function splitMessage(text: string): { head: string[]; body: string | null } {
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  let at = -1;
  let sep = 0;
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) {
    at = crlf;
    sep = 4;
  } else if (lf >= 0) {
    at = lf;
    sep = 2;
  }
  if (at < 0) return { head: text.split(/\r?\n/).filter((l, i, a) => l !== '' || i < a.length - 1), body: null };
  return { head: text.slice(0, at).split(/\r?\n/), body: text.slice(at + sep) };
}
