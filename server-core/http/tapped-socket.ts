// The transcript tap. Node's http server, given a real net.Socket, hands the socket's handle to
// its native parser (parser.consume), so JavaScript never sees the bytes it reads. Node also
// accepts any Duplex as a connection (documented for 'connection'), so the server is given
// this Duplex instead: every byte read from the real socket passes through onData, and every
// byte written passes through _write/_writev, before going on. Nothing private is touched.
import { Duplex } from 'node:stream';
import type { AddressInfo, Socket } from 'node:net';

export interface Tap {
  /** Bytes as read from the socket, before the parser sees them. */
  in(chunk: Buffer): void;
  /** Bytes exactly as handed to the socket. */
  out(chunk: Buffer): void;
}

type WriteCallback = (error?: Error | null) => void;

export class TappedSocket extends Duplex {
  /** Once false, bytes read are still recorded but no longer given to the parser. */
  private feeding = true;

  constructor(
    readonly raw: Socket,
    private readonly tap: Tap,
  ) {
    // allowHalfOpen: a client that shuts down its sending side still gets its answer.
    super({ allowHalfOpen: true, decodeStrings: true });
    raw.on('data', (chunk: Buffer) => this.onData(chunk));
    raw.on('end', () => this.push(null));
    raw.on('timeout', () => this.emit('timeout'));
    raw.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
    // A socket may arrive paused (net.Server's pauseOnConnect): start reading.
    raw.resume();
  }

  /** Stop giving bytes to the parser (after it reported bad input; it would only repeat itself). */
  stopFeeding(): void {
    this.feeding = false;
  }

  private onData(chunk: Buffer): void {
    this.tap.in(chunk);
    if (this.feeding && !this.push(chunk)) this.raw.pause();
  }

  override _read(): void {
    if (this.raw.isPaused()) this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: WriteCallback): void {
    if (this.raw.destroyed) return cb();
    this.tap.out(chunk);
    this.raw.write(chunk, cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: WriteCallback): void {
    if (this.raw.destroyed) return cb();
    this.raw.cork();
    chunks.forEach(({ chunk }, i) => {
      this.tap.out(chunk);
      this.raw.write(chunk, i === chunks.length - 1 ? cb : undefined);
    });
    this.raw.uncork();
  }

  /**
   * http ends the socket again when the client's FIN arrives after our side has ended; a
   * Writable builds an ERR_STREAM_ALREADY_FINISHED for that (with a stack: costly per request).
   */
  override end(...args: unknown[]): this {
    if (!this.writableEnded) return (super.end as (...a: unknown[]) => this)(...args);
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (cb) process.nextTick(cb);
    return this;
  }

  override _final(cb: WriteCallback): void {
    if (!this.raw.destroyed) this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    if (!this.raw.destroyed) this.raw.destroy();
    cb(err);
  }

  // ── what http (and apps such as Express) ask of a net.Socket ───────────────
  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.raw.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.raw.remoteFamily;
  }
  get localAddress(): string | undefined {
    return this.raw.localAddress;
  }
  get localPort(): number | undefined {
    return this.raw.localPort;
  }
  get bytesRead(): number {
    return this.raw.bytesRead;
  }
  get bytesWritten(): number {
    return this.raw.bytesWritten;
  }
  address(): AddressInfo | Record<string, never> {
    return this.raw.address();
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.raw.setTimeout(ms);
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.raw.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.raw.setKeepAlive(enable, delay);
    return this;
  }
  ref(): this {
    this.raw.ref();
    return this;
  }
  unref(): this {
    this.raw.unref();
    return this;
  }
}
