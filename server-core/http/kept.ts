// A keep-alive connection on the direct path: request after request, each read whole and
// answered by a DirectExchange (direct-exchange.ts), with no IncomingMessage, ServerResponse
// or http.Server. A kept connection must be read again after each answer, which needs the
// event loop: so here a net.Socket reads (libuv's epoll), and writes go through it too.
//
// It serves what the direct path serves — one plain request at a time, each arrived whole.
// Anything else that arrives on the connection (bad input, a request in pieces, pipelined
// requests, Expect, Upgrade) is handed to Node's http server (connection.ts) with its bytes
// put back unread, and Node's server serves the connection from then on.
import { Socket } from 'node:net';
import type { Peer } from '../events';
import { serveConnection } from './connection';
import { unwatch, watch, type Timed } from './deadlines';
import { DirectExchange, type ExchangeHost, type WireOut } from './direct-exchange';
import type { DirectServing } from './direct';
import { readPlainRequest, type PlainRequest } from './plain-request';
import { H } from './strings';
import { transcriptsOf, type Transcript } from './transcript';
import type { ConnectionContext } from './types';

/**
 * Serves a connection through a net.Socket: a keep-alive one whose first request, `req`, was
 * taken whole already (`bytes`), or one whose first bytes have not arrived yet (null). The
 * caller has emitted `accept`; `fd` becomes a net.Socket here.
 */
export function startKept(fd: number, peer: Peer, ctx: ConnectionContext, first: { req: PlainRequest; bytes: Buffer } | null): KeptConnection {
  const socket = new Socket({ fd, readable: true, writable: true });
  // As Node's http server does (noDelay): an answer goes out at once, not held back by Nagle.
  socket.setNoDelay(true);
  const connection = new KeptConnection(socket, peer, ctx);
  connection.start(first);
  return connection;
}

const EMPTY = Buffer.alloc(0);

/** Writes through the socket: Node sends at once when it can and queues the rest; past its high-water mark, wait for 'drain'. */
class SocketOut implements WireOut {
  private waiting: ((ready: boolean) => void) | null = null;
  constructor(private readonly socket: Socket) {}

  send(data: Uint8Array): number {
    if (this.socket.destroyed) throw Object.assign(new Error('the connection is closed'), { code: 'EPIPE' });
    if (this.socket.writableNeedDrain) return -1;
    this.socket.write(data);
    return data.length;
  }

  writable(): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.once('drain', this.onDrain);
    });
  }

  private onDrain = (): void => this.settle(true);

  private settle(ready: boolean): void {
    const w = this.waiting;
    this.waiting = null;
    this.socket.removeListener('drain', this.onDrain);
    w?.(ready);
  }

  cancel(): void {
    this.settle(false);
  }
}

export class KeptConnection implements DirectServing, ExchangeHost, Timed {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  readonly tIn: Transcript;
  readonly tOut: Transcript;
  readonly out: WireOut;
  private current: DirectExchange | null = null;
  /** The client has sent its FIN: answer what it asked, then close. */
  private clientDone = false;
  /** Our side is ended: no more requests; the connection closes as soon as the last byte is out. */
  private ending = false;
  /** Asked to end while a request was being answered (end()). */
  private endWhenAnswered = false;
  private closed = false;
  private handedOff = false;
  private requests = 0;
  private lastActivity = performance.now();
  /** When the idle timeout is next checked (deadlines.ts). */
  deadline = Infinity;

  constructor(
    private readonly socket: Socket,
    readonly peer: Peer,
    readonly ctx: ConnectionContext,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    ({ tIn: this.tIn, tOut: this.tOut } = transcriptsOf(ctx.conn, ctx.limits.transcriptCap, ctx.emit));
    this.out = new SocketOut(socket);
  }

  start(first: { req: PlainRequest; bytes: Buffer } | null): void {
    const { socket } = this;
    // A client that half-closes after its request still gets its answer.
    socket.allowHalfOpen = true;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    if (first) this.serve(first.req, first.bytes);
    else {
      if (this.ctx.acceptedAt !== undefined) this.lastActivity = this.ctx.acceptedAt;
      this.armIdle();
    }
  }

  // ── requests ──
  private onData = (chunk: Buffer): void => {
    this.lastActivity = performance.now();
    // After our last answer, bytes still arriving are recorded, never served.
    if (this.ending) {
      this.tIn.record(chunk, true);
      return;
    }
    if (this.current) {
      // Bytes before the answer is out: pipelining. They go back into the socket, which hands
      // out nothing more until the answer is out; then they are looked at — still there, with
      // whatever followed and the client's FIN behind them, for Node's http server if need be.
      this.socket.pause();
      this.socket.unshift(chunk);
      return;
    }
    this.take(chunk);
  };

  /** One whole plain request is served; anything else goes to Node's http server. */
  private take(bytes: Buffer): void {
    const req = readPlainRequest(bytes, this.ctx.limits);
    if (req) this.serve(req, bytes);
    else this.handOff(bytes);
  }

  private serve(req: PlainRequest, bytes: Buffer): void {
    const gateway = this.ctx.app.gateway;
    if (!gateway) return this.handOff(bytes);
    this.tIn.record(bytes, true);
    this.requests++;
    this.current = new DirectExchange(this, req);
    this.current.start(gateway);
  }

  /** After an answer: what came meanwhile, or the client's FIN, or wait for more. */
  private next(): void {
    const { socket } = this;
    const bytes = this.takeBuffered();
    if (bytes) {
      socket.resume();
      this.take(bytes);
    } else if (this.clientDone) this.finish();
    else {
      if (socket.isPaused()) socket.resume();
      this.armIdle();
    }
  }

  /** The bytes put back while an answer was going out, if any. (read() would also emit them as 'data'.) */
  private takeBuffered(): Buffer | null {
    const { socket } = this;
    if (socket.readableLength === 0) return null;
    socket.removeListener('data', this.onData);
    const bytes = socket.read() as Buffer | null;
    socket.on('data', this.onData);
    return bytes;
  }

  /**
   * Node's http server takes over, with `bytes` read again first; it emits `close`. (Its
   * transcripts start anew: their cap counts from here. Rare — pipelining, bad input.)
   */
  private handOff(bytes: Buffer): void {
    const { socket, ctx } = this;
    this.handedOff = true;
    unwatch(this);
    this.tIn.flush();
    this.tOut.flush();
    socket.removeListener('data', this.onData);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('error', this.onError);
    socket.removeListener('close', this.onClose);
    socket.pause();
    if (bytes.length) socket.unshift(bytes);
    // Its read timeout counts from the last bytes that came, not from now.
    ctx.acceptedAt = this.lastActivity;
    void serveConnection(socket, ctx).then(() => this.resolveDone());
  }

  // ── ExchangeHost ──
  answered(keepOpen: boolean): void {
    this.current = null;
    this.lastActivity = performance.now();
    if (!keepOpen || this.endWhenAnswered) this.finish();
    else this.next();
  }

  broken(): void {
    this.current = null;
    this.socket.destroy();
  }

  // ── the end ──
  /** Closes the connection once the request in hand (if any) is answered: the worker's request budget is spent. */
  end(): void {
    if (this.handedOff) this.socket.end(); // Node's http server has it: as for its own connections
    else if (this.current) this.endWhenAnswered = true;
    else this.finish();
  }

  /** Ends our side; the connection closes once the last byte is out — unless the client still sends. */
  private finish(): void {
    if (this.ending || this.closed || this.handedOff) return;
    this.ending = true;
    const { socket } = this;
    socket.end();
    if (socket.readableLength > 0 && !this.clientDone) {
      // Bytes we will not serve: closing now could reset the answer in flight. Read and record
      // them until the client closes (onEnd) or the read timeout, as Node's path does.
      if (socket.isPaused()) socket.resume();
      this.armIdle();
      return;
    }
    const unread = this.takeBuffered();
    if (unread) this.tIn.record(unread, true);
    this.destroyWhenWritten();
    // A client that stops reading would keep the last bytes — and the connection — forever.
    this.armIdle();
  }

  private destroyWhenWritten(): void {
    const { socket } = this;
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  }

  cut(): void {
    this.current?.goAway();
    this.socket.destroy();
  }

  private onEnd = (): void => {
    this.clientDone = true;
    if (this.ending) this.destroyWhenWritten();
    else if (!this.current) this.finish();
  };

  private onError = (err: NodeJS.ErrnoException): void => {
    // A reset after every answer was given loses nothing: not worth an error.
    this.current?.fail(err);
  };

  private onClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    unwatch(this);
    this.out.cancel();
    const ex = this.current;
    if (ex && !ex.gone) {
      this.ctx.emit({ type: 'error', conn: this.ctx.conn, code: 'CLIENT_GONE', message: H.clientGone() });
      ex.goAway();
    }
    this.current = null;
    this.tIn.flush();
    this.tOut.flush();
    this.ctx.emit({ type: 'close', conn: this.ctx.conn });
    this.resolveDone();
  };

  // ── the idle timeout ──
  private armIdle(): void {
    this.deadline = this.lastActivity + this.ctx.limits.readTimeoutMs;
    watch(this);
  }

  /**
   * An idle keep-alive connection is closed quietly, as Node's does; one lingering after our
   * end is cut; one that never sent a request is Node's http server's to answer (408).
   */
  onDeadline(): void {
    this.deadline = Infinity;
    if (this.closed || this.handedOff || this.current) return;
    const idle = performance.now() - this.lastActivity;
    if (idle < this.ctx.limits.readTimeoutMs) return this.armIdle();
    if (this.ending) this.socket.destroy();
    else if (this.requests === 0) this.handOff(EMPTY);
    else this.finish();
  }
}
