// The direct path where the server accepts with accept4() itself (the iterative model, prefork
// workers): its first look at a new connection is recv(MSG_PEEK) — look without taking — so a
// request that is not plain is left whole to Node's http server (connection.ts).
import type { Peer } from '../events';
import { POLLIN, POLLOUT, Waiter } from '../sys/poll';
import { closeQuietly, recvNow, sendNow } from '../sys/socket';
import { startDirect, type DirectServing, type FdIO } from './direct';
import { startKept } from './kept';
import { readPlainRequest } from './plain-request';
import { H } from './strings';
import type { ConnectionContext } from './types';

// A request larger than this is not plain enough: Node's http server reads it in pieces.
const PEEK_BYTES = 64 * 1024;
const peekBuffer = Buffer.allocUnsafe(PEEK_BYTES);

/**
 * Serves the connection directly when it holds one plain request the app's gateway can take;
 * null when it does not, with nothing read: connection.ts serves it then. A client whose
 * bytes have not arrived yet is waited for (through `waiter`, which the caller may cancel),
 * at most for the read timeout — or, without a waiter, waited for by the event loop (kept.ts).
 */
export async function serveDirect(fd: number, peer: Peer, ctx: ConnectionContext, waiter: Waiter | null): Promise<DirectServing | null> {
  if (!ctx.app.gateway) return null;
  let n = peek(fd);
  if (n === -1 && waiter) {
    const waited = await waiter.wait(fd, POLLIN, ctx.limits.readTimeoutMs).catch(() => null);
    if (waited?.result !== 'ready') return null;
    n = peek(fd);
  }
  // Nothing yet, and no time to wait here (other connections need this worker): the event loop waits.
  if (n === -1 && !waiter) return startKept(fd, peer, ctx, null);
  if (n <= 0 || n >= PEEK_BYTES) return null;
  const req = readPlainRequest(peekBuffer.subarray(0, n), ctx.limits);
  if (!req) return null;
  // Take the bytes just looked at (they are the whole request).
  const taken = Buffer.allocUnsafe(n);
  try {
    if (recvNow(fd, taken) !== n) return null;
  } catch {
    return null;
  }
  // A connection the client wants kept open is read again after each answer (kept.ts).
  if (ctx.keepAlive && req.keepAlive) return startKept(fd, peer, ctx, { req, bytes: taken });
  return startDirect(new KoffiFdIO(fd, ctx.limits.readTimeoutMs), peer, ctx, req, taken);
}

/** Looks at what has arrived without taking it: bytes, 0 at EOF, -1 when nothing yet, -2 after a reset. */
function peek(fd: number): number {
  try {
    return recvNow(fd, peekBuffer, true);
  } catch {
    return -2; // Node's http server reports it as it does any socket error
  }
}

class KoffiFdIO implements FdIO {
  private waiter: Waiter | null = null;
  /** `stallMs`: how long a client may take nothing of the answer before the connection is cut. */
  constructor(
    readonly fd: number,
    private readonly stallMs: number,
  ) {}

  send(data: Uint8Array): number {
    return sendNow(this.fd, data);
  }

  async writable(): Promise<boolean> {
    // A wait of its own (rare: a response larger than the socket's buffers). It holds one of
    // libuv's few pool threads, so a client that reads nothing cannot hold it for ever.
    this.waiter ??= new Waiter();
    const out = await this.waiter.wait(this.fd, POLLOUT, this.stallMs);
    if (out.result === 'timeout') throw Object.assign(new Error(H.writeStalled(this.stallMs)), { code: 'WRITE_TIMEOUT' });
    return out.result !== 'cancelled';
  }

  takeUnread(): Buffer | null {
    try {
      // Almost always nothing: look first, so a buffer is made only for bytes that are there.
      if (recvNow(this.fd, peekBuffer, true) <= 0) return null;
      const into = Buffer.allocUnsafe(PEEK_BYTES);
      const n = recvNow(this.fd, into);
      return n > 0 ? into.subarray(0, n) : null;
    } catch {
      return null;
    }
  }

  cancel(): void {
    this.waiter?.cancel();
  }

  close(): void {
    this.waiter?.close();
    closeQuietly(this.fd);
  }
}
