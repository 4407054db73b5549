// The listening socket, made with raw system calls so the server — not libuv — decides
// when to accept, and the backlog passed to listen() is the kernel's real queue (the
// tutorial's backlog lesson: connections wait there, handshake done, until accept()).
// The interface below is what every model relies on; openListener() implements it.
import { isIPv6 } from 'node:net';
import type { Peer } from './events';
import { E, SysError } from './sys/libc';
import { POLLNVAL, Waiter } from './sys/poll';
import { AF_INET, AF_INET6, SOL_SOCKET, SO_REUSEADDR, accept, bind, closeQuietly, getsockname, listen, setsockoptInt, tcpSocket } from './sys/socket';
import { acceptQueue } from './sys/tcpinfo';

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
   * (EINTR) are issued again and reported through onEintr. Resolves false when cancelled.
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

/**
 * socket → SO_REUSEADDR → bind → listen, the tutorial's first four calls. `host` is an IP
 * literal (resolve names first). Throws SysError: EADDRINUSE when the port is taken,
 * EACCES for a privileged port, EADDRNOTAVAIL for an address this machine does not have.
 */
export function openListener(
  host: string,
  port: number,
  backlog: number,
  onEintr: (call: string) => void = () => {},
): Listener {
  const fd = tcpSocket(isIPv6(host) ? AF_INET6 : AF_INET);
  try {
    // Without it a restarted server could not bind while old connections sit in TIME_WAIT.
    setsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    bind(fd, host, port);
    listen(fd, backlog);
    return new RawListener(fd, host, getsockname(fd).port, backlog, onEintr);
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}

class RawListener implements Listener {
  private readonly waiter: Waiter;
  private closed = false;

  constructor(
    readonly fd: number,
    readonly host: string,
    readonly port: number,
    readonly backlog: number,
    onEintr: (call: string) => void,
  ) {
    this.waiter = new Waiter(onEintr);
  }

  async waitReadable(): Promise<boolean> {
    if (this.closed) return false;
    const out = await this.waiter.wait(this.fd);
    return out.result === 'ready' && (out.revents & POLLNVAL) === 0 && !this.closed;
  }

  accept(): Accepted | null {
    if (this.closed) return null;
    return accept(this.fd);
  }

  queue(): { length: number; backlog: number } {
    if (this.closed) throw new SysError('getsockopt', E.EBADF);
    return acceptQueue(this.fd);
  }

  cancelWait(): void {
    this.waiter.cancel();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiter.close();
    closeQuietly(this.fd);
  }
}
