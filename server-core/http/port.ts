// A connection's I/O port: the one way the connection state machine (connection.ts) reaches
// its descriptor. recv() what has arrived, sendAll() an answer, shutdown our side, close —
// the tutorial's calls, made on the fd itself (sys/fd-calls.ts). When a call would block, the
// wait goes to the process's poller (sys/poller.ts), never to a thread of its own, and every
// wait has a deadline.
import type { Readiness } from '../sys/poller';
import type { FdCalls } from '../sys/fd-calls';
import { now } from '../clock';
import { H } from './strings';

const POLLIN = 0x001;
const POLLOUT = 0x004;
/** At most this much is taken per recv(). */
const RECV_BYTES = 64 * 1024;
const recvBuffer = Buffer.allocUnsafe(RECV_BYTES);

/** What the port needs of a poller; the poller is made (and koffi loaded) only on the first wait. */
export interface PortWaits {
  wait(fd: number, events: number, deadline: number): Promise<Readiness>;
  cancel(fd: number): void;
  forget(fd: number): void;
}

/** recv(): bytes, null at the client's end of file, or why the wait ended without any. */
export type Received = Buffer | null | 'timeout' | 'cancelled';

/** The client took none of the answer for the write-stall limit. */
export class WriteStalled extends Error {
  readonly code = 'WRITE_TIMEOUT';
  constructor(ms: number) {
    super(H.writeStalled(ms));
  }
}

export class Port {
  /** The poller, once a wait has needed it. */
  private waits: PortWaits | null = null;
  private cancelled = false;
  private closed = false;

  constructor(
    readonly fd: number,
    private readonly calls: FdCalls,
    private readonly getWaits: () => PortWaits | Promise<PortWaits>,
  ) {}

  /** recv(): what has arrived; when nothing has, waits for it until `deadline` (clock.ts ms). */
  async recv(deadline: number): Promise<Received> {
    for (;;) {
      if (this.cancelled) return 'cancelled';
      const n = this.calls.recv(this.fd, recvBuffer);
      if (n > 0) return Buffer.from(recvBuffer.subarray(0, n));
      if (n === 0) return null;
      const waited = await this.wait(POLLIN, deadline);
      if (waited !== 'ready') return waited;
    }
  }

  /** recv() without waiting: bytes, null at end of file, undefined when nothing has arrived. Throws on a reset. */
  recvNow(): Buffer | null | undefined {
    const n = this.calls.recv(this.fd, recvBuffer);
    if (n > 0) return Buffer.from(recvBuffer.subarray(0, n));
    return n === 0 ? null : undefined;
  }

  /** One send(): bytes the kernel took now (-1: none). Throws on a reset (EPIPE, ECONNRESET). */
  send(data: Uint8Array): number {
    return this.calls.send(this.fd, data);
  }

  /**
   * sendall(): hands all of `data` to the kernel. When its buffer is full the client must make
   * room within `stallMs`, or WriteStalled is thrown. `sent(part)` is told of each part taken.
   */
  async sendAll(data: Uint8Array, stallMs: number, sent?: (part: Uint8Array) => void): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const n = this.send(off === 0 ? data : data.subarray(off));
      if (n > 0) {
        sent?.(data.subarray(off, off + n));
        off += n;
        continue;
      }
      const waited = await this.wait(POLLOUT, now() + stallMs);
      if (waited === 'timeout') throw new WriteStalled(stallMs);
      if (waited === 'cancelled') throw Object.assign(new Error(H.cut()), { code: 'CUT' });
    }
  }

  async shutdownWrite(): Promise<void> {
    await this.calls.shutdownWrite(this.fd);
  }

  /** Ends a pending wait (and every later one): the connection is being cut. */
  cancel(): void {
    this.cancelled = true;
    this.waits?.cancel(this.fd);
  }

  /** close(2). The poller lets go of the fd first: its number may be reused at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waits?.forget(this.fd);
    this.calls.close(this.fd);
  }

  private async wait(events: number, deadline: number): Promise<Readiness> {
    if (this.cancelled) return 'cancelled';
    if (!this.waits) this.waits = await this.getWaits();
    return this.waits.wait(this.fd, events, deadline);
  }
}
