// The listening socket, made with raw system calls so the server — not libuv — decides
// when to accept, and the backlog passed to listen() is the kernel's real queue (lesson 3).
// Implementation: see issue 2. The interface below is what every model relies on.
import type { Peer } from './events';

export interface Accepted {
  fd: number;
  peer: Peer;
}

export interface Listener {
  readonly fd: number;
  readonly host: string;
  /** The bound port (the chosen one when 0 was asked for). */
  readonly port: number;
  readonly backlog: number;
  /**
   * Waits until a connection is ready to accept, without blocking Node's event loop
   * (poll() on libuv's thread pool, cancelled through a wake pipe). Interrupted waits
   * (EINTR) are re-issued and reported through onEintr. Resolves false when cancelled.
   */
  waitReadable(): Promise<boolean>;
  /** accept4(SOCK_CLOEXEC) on the main thread; null when nothing is waiting (EAGAIN). Throws SysError (EMFILE…). */
  accept(): Accepted | null;
  /** Queue length and backlog from getsockopt(TCP_INFO) on the listener. */
  queue(): { length: number; backlog: number };
  /** Cancels a pending waitReadable(). */
  cancelWait(): void;
  close(): void;
}
