// Waiting for a raw fd without blocking Node's event loop: poll() runs through koffi's
// `.async` on libuv's thread pool, next to a wake pipe so the wait can be cancelled.
// A signal landing on that pool thread (SIGCHLD: sigchld-eintr.ts says how the fork-model
// master makes sure it does) makes poll() fail with EINTR: we report it and issue the call
// again — the tutorial's "interrupted system call" lesson.
import { tracer, traced } from './calls';
import { E, SysError, errnoName, koffi, libc } from './libc';
import { closeQuietly, pipeCloexecNonblock, readFd, writeFd } from './socket';

export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;

const poll_ = libc.func('int poll(void *fds, unsigned long nfds, int timeout)');

/** struct pollfd { int fd; short events; short revents; } */
const POLLFD_SIZE = 8;

export type WaitOutcome =
  | { result: 'ready'; revents: number }
  | { result: 'cancelled' }
  | { result: 'timeout' };

// A pool thread blocked in poll() keeps the process from exiting (libuv joins its
// threads at exit), so every live waiter is woken when the process exits, on any path.
const live = new Set<Waiter>();
process.on('exit', () => {
  for (const w of live) w.wakeForExit();
});

/**
 * One fd wait at a time, cancellable. Create one per waiting loop and close() it at the end.
 * `onEintr(call)` is told about every interrupted poll() before it is re-issued.
 */
export class Waiter {
  private readonly fds: unknown;
  private readonly wakeRead: number;
  private readonly wakeWrite: number;
  private pending = false;
  private cancelRequested = false;
  private closed = false;
  /** `onEintr(call)` is told about every interrupted wait, once it has been issued again. */
  constructor(private readonly onEintr: (call: string) => void = () => {}) {
    [this.wakeRead, this.wakeWrite] = pipeCloexecNonblock();
    // Stable memory (not a Buffer): the pool thread writes revents after the call started.
    this.fds = koffi.alloc('uint8_t', POLLFD_SIZE * 2);
    live.add(this);
  }

  /** Waits until `fd` has `events` (POLLIN by default), the wait is cancelled, or timeoutMs passes (-1: never). */
  wait(fd: number, events = POLLIN, timeoutMs = -1): Promise<WaitOutcome> {
    if (this.closed) return Promise.resolve({ result: 'cancelled' });
    if (this.pending) return Promise.reject(new Error('Waiter.wait: a wait is already pending'));
    this.pending = true;
    this.cancelRequested = false;
    const deadline = timeoutMs >= 0 ? performance.now() + timeoutMs : Infinity;
    return new Promise<WaitOutcome>((resolve, reject) => {
      const finish = (outcome: WaitOutcome | Error): void => {
        this.pending = false;
        if (this.closed) this.release();
        else this.drainWake();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const issue = (): void => {
        if (this.cancelRequested || this.closed) return finish({ result: 'cancelled' });
        const left = deadline === Infinity ? -1 : Math.max(0, Math.ceil(deadline - performance.now()));
        koffi.encode(this.fds, 0, 'int', fd);
        koffi.encode(this.fds, 4, 'short', events);
        koffi.encode(this.fds, 6, 'short', 0);
        koffi.encode(this.fds, 8, 'int', this.wakeRead);
        koffi.encode(this.fds, 12, 'short', POLLIN);
        koffi.encode(this.fds, 14, 'short', 0);
        poll_.async(this.fds, 2, left, (err: unknown, rc: number) => {
          if (err) return finish(err instanceof Error ? err : new Error(String(err)));
          // In this callback koffi.errno() is the errno of the pool thread that made the call.
          const errno = rc === -1 ? koffi.errno() : 0;
          if (tracer) traced('poll', `[{fd=${fd}, events=${events & POLLIN ? 'POLLIN' : 'POLLOUT'}}, {fd=${this.wakeRead}, events=POLLIN}], 2, ${left}`, rc, rc === -1 ? errnoName(errno) : undefined);
          if (rc === -1) {
            if (errno === E.EINTR) {
              // Interrupted by a signal: issued again, and said so.
              issue();
              this.onEintr('poll');
              return;
            }
            return finish(new SysError('poll', errno));
          }
          if (rc === 0) return finish({ result: 'timeout' });
          const wake = koffi.decode(this.fds, 14, 'short') as number;
          if (wake !== 0 || this.cancelRequested) return finish({ result: 'cancelled' });
          finish({ result: 'ready', revents: koffi.decode(this.fds, 6, 'short') as number });
        });
      };
      issue();
    });
  }

  /** Cancels the pending wait (no-op when none is pending). */
  cancel(): void {
    if (!this.pending) return;
    this.cancelRequested = true;
    writeFd(this.wakeWrite, Buffer.from([1]));
  }

  get waiting(): boolean {
    return this.pending;
  }

  /** Frees the pipe and memory. Call after the last wait has settled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Still inside poll() on a pool thread: wake it; the wait's end releases the rest.
    if (this.pending) writeFd(this.wakeWrite, Buffer.from([1]));
    else this.release();
  }

  private release(): void {
    live.delete(this);
    closeQuietly(this.wakeRead);
    closeQuietly(this.wakeWrite);
    koffi.free(this.fds);
  }

  /** @internal process 'exit' hook: unblock the pool thread so the process can end. */
  wakeForExit(): void {
    if (this.pending) writeFd(this.wakeWrite, Buffer.from([1]));
  }

  private drainWake(): void {
    const sink = Buffer.alloc(64);
    try {
      while (readFd(this.wakeRead, sink) > 0);
    } catch {
      /* closed */
    }
  }
}
