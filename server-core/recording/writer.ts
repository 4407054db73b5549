// Writing a recording as the run goes. Lines gather in memory and are written at least every
// FLUSH_MS (and at once past MAX_PENDING), so a crash of this process loses at most the last
// quarter second; what was written is in the kernel's hands. A write that fails (a full disk)
// stops the recording, never the run.
import { closeSync, openSync, writeSync, writevSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { release } from 'node:os';
import { eventJson } from '../event-json';
import type { ForkscopeEvent } from '../events';
import { headerLine, type HeaderInput, makeHeader, type Platform, type RecordingHeader } from './format';

const FLUSH_MS = 250;
const MAX_PENDING = 256 * 1024;

/** This machine, for a recording's header. */
export function thisPlatform(): Platform {
  return {
    os: process.platform,
    release: release(),
    arch: process.arch,
    node: process.versions.node,
    ...(process.versions.electron ? { electron: process.versions.electron } : {}),
  };
}

/** Wall-clock ms of t = 0 on this process's clock, given `now()` (ms since the origin). */
export function wallOfOrigin(nowMs: number): number {
  return Date.now() - nowMs;
}

export class RecordingWriter {
  /** Event lines written or queued. */
  events = 0;
  /** Set when a write failed: nothing more is written. */
  failure: unknown = null;
  private fd: number | null;
  private pending: (string | Buffer)[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly onExit = (): void => this.close();

  /** Opens (creates or empties) the file; throws when it cannot be written. */
  constructor(
    readonly path: string,
    private readonly onFailure: (err: unknown) => void = () => {},
  ) {
    this.fd = openSync(path, 'w', 0o600);
    process.on('exit', this.onExit);
  }

  header(h: RecordingHeader | HeaderInput): void {
    this.queue(headerLine('format' in h ? h : makeHeader(h)));
  }

  event(e: ForkscopeEvent): void {
    this.events++;
    this.queue(`${eventJson(e)}\n`);
  }

  /** Event lines as they came from a master's stdout (whole lines, already JSON). */
  lines(bytes: Buffer, count: number): void {
    this.events += count;
    this.queue(bytes);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.fd === null || !this.pending.length) return;
    const parts = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const buffers = parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
    try {
      const total = buffers.reduce((n, b) => n + b.length, 0);
      const written = writevSync(this.fd, buffers);
      if (written < total) {
        // A short write (rare for files): the rest, in order.
        const bytes = Buffer.concat(buffers);
        for (let off = written; off < bytes.length; ) off += writeSync(this.fd, bytes, off);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  close(): void {
    this.flush();
    process.removeListener('exit', this.onExit);
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = null;
  }

  get closed(): boolean {
    return this.fd === null;
  }

  private queue(part: string | Buffer): void {
    if (this.fd === null) return;
    this.pending.push(part);
    this.pendingBytes += part.length;
    if (this.pendingBytes >= MAX_PENDING) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  private fail(err: unknown): void {
    this.failure = err;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        /* ignore */
      }
      this.fd = null;
    }
    process.removeListener('exit', this.onExit);
    this.onFailure(err);
  }
}

/** Events per write when saving a whole recording: the process stays responsive meanwhile. */
const SAVE_SLICE = 5_000;

/** A whole recording, written in slices (the app's Save: what its history holds). */
export async function saveRecording(path: string, header: RecordingHeader, events: readonly ForkscopeEvent[]): Promise<void> {
  const file = await open(path, 'w', 0o600);
  try {
    await file.write(headerLine(header));
    for (let i = 0; i < events.length; i += SAVE_SLICE) {
      let text = '';
      for (const e of events.slice(i, i + SAVE_SLICE)) text += `${eventJson(e)}\n`;
      await file.write(text);
    }
  } finally {
    await file.close();
  }
}
