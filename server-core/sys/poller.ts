// Waiting for connections' descriptors without blocking Node's event loop: one epoll set per
// process. A connection whose recv() or send() would block asks to be told when its fd is
// ready; the answer comes from epoll_wait(…, 0) on the main thread when something is ready
// already, and otherwise from one of libuv's pool threads blocked in epoll_wait for all of them
// (koffi's `.async`) — so however many connections wait, they hold one thread between them.
// A wait ends when the fd is ready, when its deadline passes (deadlines.ts), or when it is
// cancelled (the connection is being closed).
// Elsewhere than Linux there is no epoll: each wait then blocks in poll() on a pool thread of
// its own (sys/poll.ts), which is fine for a connection at a time.
import { watch, unwatch, type Timed } from '../deadlines';
import { E, errnoName, koffi, libc } from './libc';
import { POLLIN, Waiter } from './poll';
import { pipeCloexecNonblock, readFd, writeFd } from './socket';

export type Readiness = 'ready' | 'timeout' | 'cancelled';

export interface Poller {
  /**
   * Resolves when `fd` has `events` (POLLIN, POLLOUT; errors and hang-ups always count), when
   * `deadline` (performance.now() ms; Infinity: none) passes, or when cancel() is called. One
   * wait per fd at a time.
   */
  wait(fd: number, events: number, deadline: number): Promise<Readiness>;
  /** Ends a pending wait on `fd` ('cancelled'). */
  cancel(fd: number): void;
  /** Call before close(fd): the fd leaves the set (its number may be reused at once). */
  forget(fd: number): void;
}

let instance: Poller | null = null;

/** This process's poller, made on first use. */
export function poller(): Poller {
  instance ??= process.platform === 'linux' ? new EpollPoller() : new PollPerWait();
  return instance;
}

/** One pending wait: settled once, by readiness, its deadline, or a cancel. */
class Pending implements Timed {
  private settle: ((r: Readiness) => void) | null = null;
  readonly done: Promise<Readiness>;

  constructor(
    readonly fd: number,
    readonly events: number,
    public deadline: number,
    private readonly onEnd: (p: Pending) => void,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    if (deadline !== Infinity) watch(this);
  }

  end(r: Readiness): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = null;
    if (this.deadline !== Infinity) unwatch(this);
    this.onEnd(this);
    settle(r);
  }

  onDeadline(): void {
    this.end('timeout');
  }
}

const EPOLLIN = 0x001;
const EPOLLOUT = 0x004;
const EPOLLERR = 0x008;
const EPOLLHUP = 0x010;
const EPOLLET = 1 << 31;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CLOEXEC = 0o2000000;
// struct epoll_event { uint32_t events; uint64_t data; } is packed on x86-64 (12 bytes).
const EVENT_SIZE = process.arch === 'x64' ? 12 : 16;
const DATA_AT = process.arch === 'x64' ? 4 : 8;
const MAX_EVENTS = 64;
/** How long the main thread itself waits in epoll_wait before a pool thread takes over. */
const MAIN_THREAD_WAIT_MS = 1;

/**
 * Each connection's fd joins the set once, edge-triggered for both directions: the kernel
 * reports a change (bytes arrived, room to send), and a connection waits only after a recv()
 * or send() said EAGAIN — so the change it waits for is still to come, and no epoll_ctl is
 * needed per wait.
 */
class EpollPoller implements Poller {
  private readonly epfd: number;
  private readonly wakeRead: number;
  private readonly wakeWrite: number;
  /** fds in the epoll set. */
  private readonly inSet = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private readonly events = Buffer.alloc(EVENT_SIZE * MAX_EVENTS);
  /** Stable memory for the pool thread's epoll_wait (it writes after the call started). */
  private readonly threadEvents = koffi.alloc('uint8_t', EVENT_SIZE * MAX_EVENTS);
  private readonly one = Buffer.alloc(EVENT_SIZE);
  /** A pool thread is blocked in epoll_wait. */
  private blocked = false;
  private scheduled = false;
  private readonly ctl = libc.func('int epoll_ctl(int epfd, int op, int fd, void *event)');
  private readonly epollWait = libc.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)');

  constructor() {
    const create = libc.func('int epoll_create1(int flags)');
    this.epfd = create(EPOLL_CLOEXEC) as number;
    if (this.epfd < 0) throw new Error(`epoll_create1: ${errnoName(koffi.errno())}`);
    [this.wakeRead, this.wakeWrite] = pipeCloexecNonblock();
    // The wake pipe stays in the set, level-triggered: a write to it ends the thread's wait.
    this.control(EPOLL_CTL_ADD, this.wakeRead, EPOLLIN);
    // A pool thread blocked in epoll_wait would keep the process from exiting.
    process.on('exit', () => {
      if (this.blocked) writeFd(this.wakeWrite, Buffer.from([1]));
    });
  }

  wait(fd: number, events: number, deadline: number): Promise<Readiness> {
    if (!this.inSet.has(fd)) {
      if (this.control(EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLOUT | EPOLLET) !== 0) return Promise.resolve('ready'); // not pollable: let the call itself say why
      this.inSet.add(fd);
    }
    this.pending.get(fd)?.end('cancelled');
    const p = new Pending(fd, events, deadline, (done) => {
      if (this.pending.get(done.fd) === done) this.pending.delete(done.fd);
    });
    this.pending.set(fd, p);
    this.schedule();
    return p.done;
  }

  cancel(fd: number): void {
    this.pending.get(fd)?.end('cancelled');
  }

  forget(fd: number): void {
    this.cancel(fd);
    if (this.inSet.delete(fd)) this.control(EPOLL_CTL_DEL, fd, 0);
  }

  private control(op: number, fd: number, flags: number): number {
    this.one.writeUInt32LE(flags >>> 0, 0);
    this.one.writeInt32LE(fd, DATA_AT);
    return this.ctl(this.epfd, op, fd, this.one) as number;
  }

  private schedule(): void {
    if (this.scheduled || this.blocked) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  /**
   * What is ready now is answered now. When nothing is, the main thread waits a moment itself
   * (a client that is busy talking answers within it, and a hand-over to another thread
   * costs more than the wait); only when nothing comes then does a pool thread wait for it all.
   */
  private readonly turn = (): void => {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    // Returns at once when something is ready, else after at most the moment.
    const n = this.epollWait(this.epfd, this.events, MAX_EVENTS, MAIN_THREAD_WAIT_MS) as number;
    if (n > 0) {
      this.dispatch(this.events, n);
      if (this.pending.size) this.schedule();
      return;
    }
    this.blocked = true;
    this.epollWait.async(this.epfd, this.threadEvents, MAX_EVENTS, -1, (err: unknown, rc: number) => {
      this.blocked = false;
      if (!err && rc > 0) {
        this.dispatch(Buffer.from(koffi.decode(this.threadEvents, 'uint8_t', rc * EVENT_SIZE) as Uint8Array), rc);
      } else if (!err && rc < 0 && koffi.errno() !== E.EINTR) {
        // Not expected (EBADF…): fail the waits rather than spin; each caller's call says why.
        for (const p of [...this.pending.values()]) p.end('ready');
      }
      if (this.pending.size) this.schedule();
    });
  };

  private dispatch(events: Buffer, n: number): void {
    for (let i = 0; i < n; i++) {
      const fd = events.readInt32LE(i * EVENT_SIZE + DATA_AT);
      if (fd === this.wakeRead) {
        readFd(this.wakeRead, Buffer.alloc(64));
        continue;
      }
      const p = this.pending.get(fd);
      if (!p) continue; // a change nobody waits for now: whoever waits next tries its call first
      const got = events.readUInt32LE(i * EVENT_SIZE);
      const wanted = (p.events & POLLIN ? EPOLLIN : 0) | (p.events & ~POLLIN ? EPOLLOUT : 0) | EPOLLERR | EPOLLHUP;
      if (got & wanted) p.end('ready');
    }
  }
}

/**
 * Waits that take no thread: poll(…, 0) on the main thread, again every LOOK_MS, until the fd
 * is ready or the deadline passes. For a process whose pool thread is spoken for — the
 * fork-model master's one thread waits for connections (sigchld-eintr.ts) — and which waits
 * for a connection only now and then (a 503 it answers itself).
 */
export function pollingWaits(): Poller {
  looking ??= new LookAgain();
  return looking;
}

let looking: LookAgain | null = null;
const LOOK_MS = 50;
const pollNow = libc.func('int poll(void *fds, unsigned long nfds, int timeout)');

class LookAgain implements Poller {
  private readonly pending = new Map<number, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private readonly fds = Buffer.alloc(8);

  wait(fd: number, events: number, deadline: number): Promise<Readiness> {
    this.pending.get(fd)?.end('cancelled');
    const p = new Pending(fd, events, deadline, (done) => {
      if (this.pending.get(done.fd) === done) this.pending.delete(done.fd);
    });
    this.pending.set(fd, p);
    this.timer ??= setInterval(this.look, LOOK_MS);
    return p.done;
  }

  cancel(fd: number): void {
    this.pending.get(fd)?.end('cancelled');
  }

  forget(fd: number): void {
    this.cancel(fd);
  }

  private readonly look = (): void => {
    for (const p of [...this.pending.values()]) {
      this.fds.writeInt32LE(p.fd, 0);
      this.fds.writeInt16LE(p.events, 4);
      this.fds.writeInt16LE(0, 6);
      if ((pollNow(this.fds, 1, 0) as number) !== 0) p.end('ready');
    }
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  };
}

/** Without epoll: each wait is a poll() of its own on a pool thread. */
class PollPerWait implements Poller {
  private readonly waiters = new Map<number, Waiter>();

  async wait(fd: number, events: number, deadline: number): Promise<Readiness> {
    let w = this.waiters.get(fd);
    if (!w) {
      w = new Waiter();
      this.waiters.set(fd, w);
    }
    const out = await w.wait(fd, events, deadline === Infinity ? -1 : Math.max(0, Math.ceil(deadline - performance.now())));
    return out.result;
  }

  cancel(fd: number): void {
    this.waiters.get(fd)?.cancel();
  }

  forget(fd: number): void {
    const w = this.waiters.get(fd);
    if (!w) return;
    this.waiters.delete(fd);
    w.close();
  }
}
