// One answer, as a gateway writes it (exchange.ts GatewayResponse): the head is built when the
// first body bytes (or the end) come — with what HTTP itself needs added the way Node's http
// server adds it (response-head.ts) — and every byte goes out through the connection's port:
// sent at once when the kernel takes it, else waited for (sendall), with the write-stall limit.
// The connection (connection.ts) awaits `done` and narrates what happened.
import type { HeaderList } from '../events';
import type { GatewayResponse } from '../gateway/exchange';
import { flushBeforeWire } from '../output';
import { errorHeaders, type ErrorAnswer } from './error-answer';
import type { Port } from './port';
import type { ParsedRequest } from './request-reader';
import { bodyless, buildHead, type Framing } from './response-head';
import { httpDate } from './server-software';
import type { Transcript } from './transcript';

/** How an answer ended. */
export type AnswerOutcome =
  | { kind: 'answered'; status: number; headers: HeaderList; bytes: number; keepOpen: boolean }
  | { kind: 'broken'; error: { code: string | undefined; message: string } | null };

/** What an answer needs of its connection. */
export interface AnswerHost {
  readonly port: Port;
  readonly tOut: Transcript;
  /** How long a client may take none of the answer. */
  readonly stallMs: number;
  /** Read when the head is built: the idle timeout to announce, or null when the connection closes after this answer. */
  keepAliveMs(req: ParsedRequest): number | null;
}

const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

export class ResponseWriter implements GatewayResponse {
  readonly done: Promise<AnswerOutcome>;
  private settle!: (outcome: AnswerOutcome) => void;
  private pendingHead: { status: number; reason: string | undefined; headers: string[] } | null = null;
  private headLines: HeaderList = [];
  private status = 200;
  private framing: Framing = 'none';
  private keepOpen = false;
  private bodyBytes = 0;
  private endCalled = false;
  /** We answered ourselves (a 500): the app's later writes are ignored. */
  private sealed = false;
  private over = false;
  /** A sendall is waiting for room: later bytes queue behind it. */
  private sending = false;
  private readonly queue: Uint8Array[] = [];
  private drainWaiters: (() => void)[] = [];
  private goneListeners: (() => void)[] = [];
  headersSent = false;
  gone = false;

  /** The app has ended its answer (it may still be going out). */
  get ended(): boolean {
    return this.endCalled;
  }

  constructor(
    private readonly host: AnswerHost,
    private readonly req: ParsedRequest,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  // ── GatewayResponse ──
  writeHead(status: number, reason: string | undefined, headers: string[]): void {
    if (this.sealed || this.headersSent) return;
    this.pendingHead = { status, reason, headers };
  }

  write(chunk: Uint8Array): boolean {
    if (this.sealed || this.endCalled || this.gone) return !this.gone;
    this.sendHead(null);
    this.queueBody(chunk);
    this.pump();
    return this.queue.length === 0 && !this.sending;
  }

  end(chunk?: Uint8Array): void {
    if (this.sealed || this.endCalled || this.gone) return;
    this.finishWith(chunk);
  }

  drained(): Promise<void> {
    if ((this.queue.length === 0 && !this.sending) || this.gone) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  onGone(listener: () => void): void {
    this.goneListeners.push(listener);
  }

  // ── what the connection does with it ──
  /** The app returned: an answer it left open is ended (its head and what it wrote go out). */
  finish(): void {
    if (!this.endCalled && !this.gone && !this.sealed) this.finishWith(undefined);
  }

  /** Answers with `answer` instead of the app (it failed before its headers went out). */
  answerWith(answer: ErrorAnswer): void {
    this.pendingHead = { status: answer.status, reason: undefined, headers: errorHeaders(answer) };
    this.sealed = false;
    this.finishWith(answer.body);
    this.sealed = true;
  }

  /** The answer cannot be completed (the app failed after its headers): cut. */
  cut(): void {
    this.sealed = true;
    this.breakOff(null);
  }

  // ── writing ──
  private finishWith(chunk: Uint8Array | undefined): void {
    this.endCalled = true;
    this.sendHead(chunk ? chunk.length : 0);
    if (chunk) this.queueBody(chunk);
    if (this.framing === 'chunked') this.queue.push(LAST_CHUNK);
    this.pump();
  }

  /** The head goes out with the first body bytes (or at the end), as Node's implicit header does. */
  private sendHead(wholeBody: number | null): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const head = this.pendingHead ?? { status: 200, reason: undefined, headers: [] };
    this.status = head.status;
    const { req } = this;
    const built = buildHead(
      head.status,
      head.reason,
      head.headers,
      httpDate(),
      !bodyless(req.method, head.status),
      wholeBody,
      req.versionMinor >= 1,
      this.host.keepAliveMs(req),
    );
    this.headLines = built.headers;
    this.framing = built.framing;
    this.keepOpen = built.keepOpen;
    this.queue.push(Buffer.from(built.text, 'latin1'));
  }

  private queueBody(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.framing === 'none') return;
    this.bodyBytes += chunk.length;
    if (this.framing === 'chunked') this.queue.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, CRLF);
    else this.queue.push(chunk);
  }

  /** Hands what is queued to the kernel: at once when it takes it all, else through a sendall that waits. */
  private pump(): void {
    if (this.sending || this.gone) return;
    const { port, tOut } = this.host;
    while (this.queue.length > 0) {
      const data = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
      this.queue.length = 0;
      // The events so far (accept, request…) go out before the bytes they lead to.
      flushBeforeWire();
      let n: number;
      try {
        n = port.send(data);
      } catch (err) {
        return this.fail(err);
      }
      if (n > 0) tOut.record(data.subarray(0, n), true);
      if (n < data.length) {
        this.sending = true;
        port.sendAll(n > 0 ? data.subarray(n) : data, this.host.stallMs, (part) => tOut.record(part, true)).then(
          () => {
            this.sending = false;
            this.pump();
          },
          (err: unknown) => this.fail(err),
        );
        return;
      }
    }
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    if (this.endCalled && !this.over) {
      this.over = true;
      this.settle({ kind: 'answered', status: this.status, headers: this.headLines, bytes: this.bodyBytes, keepOpen: this.keepOpen });
    }
  }

  /** The connection failed under the answer (a reset, a stalled client). */
  private fail(err: unknown): void {
    const e = err as NodeJS.ErrnoException;
    this.breakOff({ code: e.code, message: e.message });
  }

  private breakOff(error: { code: string | undefined; message: string } | null): void {
    this.sending = false;
    if (!this.gone) {
      this.gone = true;
      this.queue.length = 0;
      for (const w of this.drainWaiters) w();
      this.drainWaiters = [];
      for (const l of this.goneListeners) l();
      this.goneListeners = [];
    }
    if (this.over) return;
    this.over = true;
    this.settle({ kind: 'broken', error });
  }
}
