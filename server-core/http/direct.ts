// Serving a connection straight on its file descriptor — the seed's handle_one_request by
// hand: the request is taken with recv(), the app answers through its gateway, the answer
// goes out with send() and the connection is closed. No net.Socket, no IncomingMessage or
// ServerResponse: for a one-request connection those cost more than everything else together.
//
// It serves the common case only: one plain request (plain-request.ts), already received
// whole, on a connection that closes after its answer (direct-exchange.ts answers it; a
// connection kept alive for more requests is kept.ts). Its first look at the bytes is a
// MSG_PEEK, so when the request is anything else nothing has been taken, and Node's http
// server (connection.ts) serves the connection, with its answer for every kind of bad input.
//
// The events are the same as on the other path: transcript in, request, transcript out,
// response, close — or an `error` for an app that fails (500) or a client that is gone.
// One difference, the seed's: a client that leaves while the app is working is noticed when
// the answer is sent, not before (nothing reads the connection meanwhile).
import type { Peer } from '../events';
import { DirectExchange, type ExchangeHost, type WireOut } from './direct-exchange';
import type { PlainRequest } from './plain-request';
import { transcriptsOf, type Transcript } from './transcript';
import type { ConnectionContext } from './types';

/**
 * How the direct path reaches the connection's fd: through koffi's recv/send/poll
 * (direct-peek.ts: the iterative model, prefork workers) or through Node's fs calls
 * (direct-read.ts: a fork-model worker, which does not load koffi to start faster).
 */
export interface FdIO extends WireOut {
  readonly fd: number;
  /** Takes bytes that arrived after the request, if any (null: none yet, end of file, or a reset). */
  takeUnread(): Buffer | null;
  /** close(2): the seed's last call. */
  close(): void;
}

/** A connection being served directly. */
export interface DirectServing {
  /** Settles when the connection is closed (never rejects). */
  done: Promise<void>;
  /** Closes the connection now, answered or not (the server is stopping). */
  cut(): void;
  /** Closes it once the request in hand is answered (a prefork worker's budget is spent). */
  end(): void;
}

/**
 * Serves `req` — taken whole from the connection already (`bytes`, for the transcript) — and
 * closes the connection. The caller has emitted `accept`.
 */
export function startDirect(io: FdIO, peer: Peer, ctx: ConnectionContext, req: PlainRequest, bytes: Buffer): DirectServing {
  const gateway = ctx.app.gateway;
  if (!gateway) throw new Error('startDirect: the app has no gateway');
  const connection = new OneShotConnection(io, peer, ctx);
  connection.tIn.record(bytes, true);
  connection.exchange = new DirectExchange(connection, req);
  connection.exchange.start(gateway);
  return connection;
}

/** The seed's connection: one request, its answer, close(). */
class OneShotConnection implements DirectServing, ExchangeHost {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  readonly tIn: Transcript;
  readonly tOut: Transcript;
  private closed = false;
  exchange: DirectExchange | null = null;

  constructor(
    private readonly io: FdIO,
    readonly peer: Peer,
    readonly ctx: ConnectionContext,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    ({ tIn: this.tIn, tOut: this.tOut } = transcriptsOf(ctx.conn, ctx.limits.transcriptCap, ctx.emit));
  }

  get out(): WireOut {
    return this.io;
  }

  answered(): void {
    this.close(true);
  }

  broken(): void {
    this.close(false);
  }

  cut(): void {
    this.exchange?.goAway();
    this.close(false);
  }

  end(): void {
    // It closes after its one answer anyway.
  }

  /**
   * close(), the seed's last call — unless the client sent bytes we did not read: closing
   * then would send a reset that can destroy the answer in flight, so the connection lingers
   * until the client closes its side (or the read timeout), as on the other path.
   */
  private close(answered: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.io.cancel();
    const unread = answered ? this.io.takeUnread() : null;
    if (unread) {
      this.tIn.record(unread, true);
      void this.linger();
      return;
    }
    this.io.close();
    this.onClosed();
  }

  /** Rare: node:net is loaded only now (a fork-model worker does not load it to start faster). */
  private async linger(): Promise<void> {
    const { Socket } = await import('node:net');
    let socket: InstanceType<typeof Socket>;
    try {
      socket = new Socket({ fd: this.io.fd, readable: true, writable: true });
    } catch {
      this.io.close();
      this.onClosed();
      return;
    }
    socket.on('data', (chunk: Buffer) => this.tIn.record(chunk, true));
    socket.on('end', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      this.onClosed();
    });
    const timer = setTimeout(() => socket.destroy(), this.ctx.limits.readTimeoutMs);
    socket.end();
  }

  private onClosed(): void {
    this.tIn.flush();
    this.tOut.flush();
    this.ctx.emit({ type: 'close', conn: this.ctx.conn });
    this.resolveDone();
  }
}

