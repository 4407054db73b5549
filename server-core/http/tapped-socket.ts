// The transcript tap, on the real socket. Node's http server, given a net.Socket, hands the
// socket's handle to its native parser (parser.consume), so JavaScript never sees the bytes it
// reads — unless someone listens for 'data': then http unconsumes and feeds its parser from the
// socket's 'data' events (its documented answer to user code reading the socket too). So:
//   in:  a 'data' listener put in front of http's own sees every chunk before the parser does;
//   out: the socket's own _write/_writev (the Writable hooks every write ends in, corked or not)
//        are wrapped, so the tap sees each chunk exactly as it is handed to the kernel.
// No extra stream sits between http and the socket: a wrapping Duplex cost more than the
// rest of serving a request.
import { Socket } from 'node:net';
import type { Bytes } from './transcript';

export interface Tap {
  /** Bytes as read from the socket, before the parser sees them. */
  in(chunk: Buffer): void;
  /**
   * Bytes exactly as handed to the socket (a string: latin1, one byte per character);
   * `owned`: a fresh copy nobody else holds (else the caller may reuse it).
   */
  out(chunk: Bytes, owned: boolean): void;
  /**
   * When http closes a `Connection: close` socket: may it close the moment our last byte is
   * out (the client has nothing more to send), or should it wait for the client's FIN?
   */
  closesAtOnce(): boolean;
}

type WriteCallback = (error?: Error | null) => void;
type Chunk = string | Buffer;
type TappedSocket = Socket & {
  [TAP]: Tap | undefined;
  _write(chunk: Chunk, encoding: BufferEncoding, cb: WriteCallback): void;
  _writev(chunks: { chunk: Chunk; encoding: BufferEncoding }[], cb: WriteCallback): void;
};

const TAP = Symbol('forkscope.tap');
const proto = Socket.prototype as unknown as TappedSocket;

function tapOut(tap: Tap | undefined, chunk: Chunk, encoding: BufferEncoding | 'buffer'): void {
  if (!tap) return;
  if (typeof chunk !== 'string') tap.out(chunk, false);
  // http writes its header block as a latin1 string: one byte per character, as libuv sends it
  // (Node encodes 'ascii' as latin1 too).
  else if (encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii') tap.out(chunk, true);
  else tap.out(Buffer.from(chunk, encoding === 'buffer' ? 'utf8' : encoding), true);
}

// Shared functions (`this` is the socket), so tapping a connection allocates no closures.
function tappedWrite(this: TappedSocket, chunk: Chunk, encoding: BufferEncoding, cb: WriteCallback): void {
  tapOut(this[TAP], chunk, encoding);
  proto._write.call(this, chunk, encoding, cb);
}

function tappedWritev(this: TappedSocket, chunks: { chunk: Chunk; encoding: BufferEncoding }[], cb: WriteCallback): void {
  const tap = this[TAP];
  for (let i = 0; i < chunks.length; i++) tapOut(tap, chunks[i].chunk, chunks[i].encoding);
  proto._writev.call(this, chunks, cb);
}

function onTappedData(this: TappedSocket, chunk: Buffer): void {
  this[TAP]?.in(chunk);
}

/**
 * http ends the socket again when the client's FIN arrives after our side has ended; a
 * Writable builds an ERR_STREAM_ALREADY_FINISHED for that (with a stack: costly per request).
 */
function endOnce(this: TappedSocket, ...args: unknown[]): TappedSocket {
  if (!this.writableEnded) return (proto.end as (...a: unknown[]) => TappedSocket).apply(this, args);
  const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
  if (cb) process.nextTick(cb);
  return this;
}

/**
 * http closes a `Connection: close` socket with destroySoon(): end our side, close once the
 * last byte is written. That is the tutorial's `close()` after `sendall()`, and we do the same when
 * the client has sent everything it meant to (its request read to the end, nothing after it):
 * no round trip waiting for its FIN. Otherwise — a body still arriving, bytes we refused or
 * did not serve — we end our side only and let the connection close when the client closes
 * its side (or the read timeout says it has lingered long enough): closing with the client's
 * bytes still unread would send a reset that can destroy the response in flight.
 */
function closeWhenWritten(this: TappedSocket): void {
  if (this.writable) this.end();
  if (!this[TAP]?.closesAtOnce()) return;
  if (this.writableFinished) this.destroy();
  else this.once('finish', destroyOnFinish);
}

function destroyOnFinish(this: TappedSocket): void {
  this.destroy();
}

/**
 * Taps `socket` and gives it to http: the write hooks go in before `handOver` (so http's first
 * byte is seen), the read listener right after it, so it runs before http's own 'data' listener
 * and http switches to feeding its parser from JS. A socket that arrived paused (net.Server's
 * pauseOnConnect) starts reading.
 */
export function tapSocket(socket: Socket, tap: Tap, handOver: () => void): void {
  const s = socket as TappedSocket;
  s[TAP] = tap;
  s._write = tappedWrite;
  s._writev = tappedWritev;
  s.end = endOnce as TappedSocket['end'];
  s.destroySoon = closeWhenWritten;
  handOver();
  socket.prependListener('data', onTappedData);
  socket.resume();
}

/**
 * Lets go of the tap once the socket has closed. A closed socket lingers in memory until its
 * handle is released (and is often promoted to the old generation on the way): whatever the
 * tap holds should not linger with it.
 */
export function untap(socket: Socket): void {
  (socket as TappedSocket)[TAP] = undefined;
}

/** The tap given to tapSocket (undefined for any other value). */
export function tapOf(socket: unknown): Tap | undefined {
  return socket instanceof Socket ? (socket as Partial<TappedSocket>)[TAP] : undefined;
}

/** Bad input was answered: bytes still arriving are recorded but no longer given to the parser (it would only repeat itself). */
export function stopFeeding(socket: Socket): void {
  for (const listener of socket.listeners('data')) {
    if (listener !== onTappedData) socket.removeListener('data', listener as (...a: unknown[]) => void);
  }
}
