// A curl -v style transcript of one connection, rendered from its events: `>` lines sent,
// `<` lines received, `*` what happened in between. The response body is shown as it came.
import type { ClientEvent } from '../events';
import { info } from './strings';

type Write = (text: string) => void;

function decode(data: string, encoding: 'utf8' | 'base64' | undefined): Buffer {
  return encoding === 'base64' ? Buffer.from(data, 'base64') : Buffer.from(data, 'utf8');
}

/** One line as it can be shown: CR at the end dropped, other control bytes escaped. */
export function showLine(bytes: Buffer): string {
  const end = bytes.length && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  let out = '';
  const text = bytes.subarray(0, end).toString('utf8');
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0x09) out += ch;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

function isText(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return false;
  }
  return !buf.some((b) => b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d));
}

export class TranscriptPrinter {
  private sent = Buffer.alloc(0);
  private received = Buffer.alloc(0);
  private inBody = false;
  private atLineStart = true;
  private binaryBody = 0;
  /** Where the connection goes, for the `Connected to` line. */
  private host = '';
  private port = 0;

  constructor(private readonly write: Write) {}

  onEvent(e: ClientEvent): void {
    switch (e.type) {
      case 'client-connect':
        this.host = e.host;
        this.port = e.port;
        return this.info(info.connecting(e.host, e.port));
      case 'client-connected':
        this.info(info.connected(this.host, this.port, e.localPort, e.ms));
        if (e.synRetries) this.info(info.synRetries(e.synRetries));
        return;
      case 'client-sent':
        if (e.data === undefined) return;
        this.sent = Buffer.concat([this.sent, decode(e.data, e.encoding)]);
        return this.flushSent(false);
      case 'client-first-byte':
        this.flushSent(true);
        return this.info(info.firstByte(e.ms));
      case 'client-received':
        this.flushSent(true);
        this.received = Buffer.concat([this.received, decode(e.data, e.encoding)]);
        this.flushReceived();
        if (e.truncated) this.info(info.bodyTruncated);
        return;
      case 'client-done':
        this.flushSent(true);
        this.flushBinary();
        return this.info(info.done(e.status, e.bytes, e.ms));
      case 'client-eof':
        this.flushSent(true);
        this.flushBinary();
        return this.info(info.eof(e.ms));
      case 'client-error':
        this.flushSent(true);
        this.flushBinary();
        return this.info(info.error(e.code, e.explanation));
    }
  }


  /** An info line of our own (`* …`), always on a line of its own. */
  info(text: string): void {
    this.line(`* ${text}`);
  }

  private line(text: string): void {
    if (!this.atLineStart) this.write('\n');
    this.write(`${text}\n`);
    this.atLineStart = true;
  }

  /** Sent bytes, a line at a time; `all` also shows a last line with no line end yet. */
  private flushSent(all: boolean): void {
    let nl: number;
    while ((nl = this.sent.indexOf(0x0a)) >= 0) {
      this.line(`> ${showLine(this.sent.subarray(0, nl))}`);
      this.sent = this.sent.subarray(nl + 1);
    }
    if (all && this.sent.length) {
      this.line(`> ${showLine(this.sent)}`);
      this.sent = Buffer.alloc(0);
    }
  }

  private flushReceived(): void {
    if (!this.inBody) {
      let nl: number;
      while ((nl = this.received.indexOf(0x0a)) >= 0) {
        const line = this.received.subarray(0, nl);
        this.received = this.received.subarray(nl + 1);
        this.line(`< ${showLine(line)}`.trimEnd());
        if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) {
          this.inBody = true;
          break;
        }
      }
      if (!this.inBody) return;
    }
    if (!this.received.length) return;
    const body = this.received;
    this.received = Buffer.alloc(0);
    if (this.binaryBody || !isText(body)) {
      this.binaryBody += body.length;
      return;
    }
    const text = body.toString('utf8');
    this.write(text);
    this.atLineStart = text.endsWith('\n');
  }

  private flushBinary(): void {
    if (this.received.length && !this.inBody) {
      this.line(`< ${showLine(this.received)}`);
      this.received = Buffer.alloc(0);
    }
    if (this.binaryBody) {
      this.info(info.binary(this.binaryBody));
      this.binaryBody = 0;
    }
  }
}
