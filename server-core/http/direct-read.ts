// The direct path in a fork-model worker, which is handed its connection as fd 3 and does not
// load koffi (a worker's start is part of every request). It reads the way the seed's child
// does, with read(2) — through Node's fs, on the non-blocking fd — and writes with write(2).
// What it read and found not plain is handed back to Node's http server along with the socket.
import { closeSync, readSync, writeSync } from 'node:fs';
import type { Peer } from '../events';
import { startDirect, type DirectServing, type FdIO } from './direct';
import { readPlainRequest } from './plain-request';
import type { ConnectionContext } from './types';

const READ_BYTES = 64 * 1024;

export type FirstRead = { served: DirectServing } | { read: Buffer | null };

/**
 * Reads what has arrived on `fd`. One plain request: served directly. Anything else: the
 * bytes read (null when none had arrived yet) for Node's http server, which reads on.
 */
export function serveDirectFromRead(fd: number, peer: Peer, ctx: ConnectionContext): FirstRead {
  if (!ctx.app.gateway) return { read: null };
  const buf = Buffer.allocUnsafe(READ_BYTES);
  let n: number;
  try {
    n = readSync(fd, buf);
  } catch {
    return { read: null }; // nothing yet (EAGAIN), or a reset: Node's http server reports it
  }
  if (n <= 0) return { read: null };
  const bytes = buf.subarray(0, n);
  const req = n < READ_BYTES ? readPlainRequest(bytes, ctx.limits) : null;
  if (!req || (ctx.keepAlive && req.keepAlive)) return { read: bytes };
  return { served: startDirect(new PlainFdIO(fd), peer, ctx, req, bytes) };
}

class PlainFdIO implements FdIO {
  private waiting: { cancel(): void; close(): void } | null = null;
  constructor(readonly fd: number) {}

  send(data: Uint8Array): number {
    try {
      return writeSync(this.fd, data);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return -1;
      throw err;
    }
  }

  async writable(): Promise<boolean> {
    // Rare (a response larger than the socket's buffers): only then is koffi loaded, for poll().
    const { POLLOUT, Waiter } = await import('../sys/poll');
    const waiter = new Waiter();
    this.waiting = waiter;
    const out = await waiter.wait(this.fd, POLLOUT);
    waiter.close();
    this.waiting = null;
    return out.result !== 'cancelled';
  }

  takeUnread(): Buffer | null {
    const into = Buffer.allocUnsafe(READ_BYTES);
    try {
      const n = readSync(this.fd, into);
      return n > 0 ? into.subarray(0, n) : null;
    } catch {
      return null;
    }
  }

  cancel(): void {
    this.waiting?.cancel();
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
