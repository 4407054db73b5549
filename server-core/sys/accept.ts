// accept() blocked on one of libuv's pool threads (koffi's `.async`), for prefork workers.
// Why block rather than poll() and accept: poll() wakes every worker waiting on the socket
// and the quickest takes the connection — the busiest, often, whose CPU is already awake —
// so one worker can end up holding most keep-alive connections. Threads blocked in accept()
// wait in a queue: the kernel gives each connection to exactly one, the one that has waited
// longest, so the workers take turns. (Apache's prefork and gunicorn's sync workers hand out
// connections the same way, by blocking in accept or behind a lock.)
// The listening socket carries a receive timeout (makeAcceptBlock), so a worker that stops
// accepting learns it within that time; an accept cannot be cancelled otherwise.
import type { Peer } from '../events';
import { tracer } from './calls';
import { E, SysError, errnoName, koffi } from './libc';
import { SOCK_CLOEXEC, SOCK_NONBLOCK, SOCKADDR_MAX, accept4_, accept_, decodeSockaddr, setNonblockCloexec, traceAccept } from './socket';

export type AcceptOutcome = { fd: number; peer: Peer } | 'timeout';

export class BlockingAccept {
  // Stable memory (not Buffers): the pool thread writes the address after the call started.
  private readonly sa = koffi.alloc('uint8_t', SOCKADDR_MAX);
  private readonly len = koffi.alloc('uint32_t', 1);
  private pending = false;
  private freed = false;

  constructor(private readonly fd: number) {}

  /** One accept(); rejects with SysError (EMFILE…). The accepted socket is non-blocking and close-on-exec. */
  accept(): Promise<AcceptOutcome> {
    if (this.pending) return Promise.reject(new Error('BlockingAccept: an accept is already pending'));
    this.pending = true;
    return new Promise<AcceptOutcome>((resolve, reject) => {
      const done = (outcome: AcceptOutcome | Error): void => {
        this.pending = false;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const issue = (): void => {
        koffi.encode(this.len, 0, 'uint32_t', SOCKADDR_MAX);
        const cb = (err: unknown, rc: number): void => {
          if (err) return done(err instanceof Error ? err : new Error(String(err)));
          if (rc >= 0) {
            if (!accept4_) setNonblockCloexec(rc);
            const sa = Buffer.from(koffi.decode(this.sa, 'uint8_t', SOCKADDR_MAX) as Uint8Array);
            const peer = decodeSockaddr(sa);
            if (tracer) traceAccept(this.fd, peer, rc);
            return done({ fd: rc, peer });
          }
          // In this callback koffi.errno() is the errno of the pool thread that ran accept().
          const errno = koffi.errno();
          // --calls leaves out the accept that gave up after its 0.1 s (ten a second per worker).
          if (tracer && errno !== E.EAGAIN) traceAccept(this.fd, null, rc, errnoName(errno));
          if (errno === E.EINTR || errno === E.ECONNABORTED) return issue();
          if (errno === E.EAGAIN || errno === E.EWOULDBLOCK) return done('timeout');
          done(new SysError('accept4', errno));
        };
        if (accept4_) accept4_.async(this.fd, this.sa, this.len, SOCK_CLOEXEC | SOCK_NONBLOCK, cb);
        else accept_.async(this.fd, this.sa, this.len, cb);
      };
      issue();
    });
  }

  /** Frees the memory; call once no accept is pending. */
  free(): void {
    if (this.freed || this.pending) return;
    this.freed = true;
    koffi.free(this.sa);
    koffi.free(this.len);
  }
}
