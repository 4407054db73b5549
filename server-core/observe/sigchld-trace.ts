// SIGCHLD and wait(), one by one, from the kernel's own tracepoints (tracefs; root only).
// /proc shows zombies and exits, but not signals: its masks say a SIGCHLD is pending, never
// how many were sent. A private tracefs instance, filtered to the observed server, sees:
//   signal_generate (sig 17 to the server)  — fires in the exiting child; `res` says whether
//       the signal became pending (0), was ignored (1), or merged into one already pending (2):
//       "signals are not queued", counted;
//   signal_deliver (sig 17 in the server)   — its handler is about to run;
//   sys_exit_wait4 (in the server, ret > 0) — wait()/waitpid() returned a child: a reap.
// The tracepoints cost nothing measurable, unlike strace, which slows every fork and changes
// how many zombies a burst leaves. The trace pipe is read without blocking on the caller's
// timer: a blocking read would hold a libuv thread and keep the instance busy.
import { closeSync, constants, existsSync, mkdirSync, openSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getOrigin } from '../clock';
import { libc } from '../sys/libc';
import { readFd } from '../sys/socket';

const SIGCHLD = 17;
const ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

export type TraceRecord =
  | { kind: 'generate'; t: number; child: number; result: 'queued' | 'ignored' | 'merged' }
  | { kind: 'deliver'; t: number }
  | { kind: 'wait'; t: number; child: number };

/** Why tracing is off, in a word the caller turns into a sentence. */
export type Unavailable = 'not-linux' | 'not-root' | 'no-tracefs' | 'no-events' | { failed: string };

const RESULTS = ['queued', 'ignored', 'merged'] as const;
// "comm-pid [cpu] flags timestamp: event: fields" (the flags column may be switched off);
// a syscall exit reads "timestamp: sys_wait4 -> 0x2ed".
const LINE = /^\s*(.*?)-(\d+)\s+\[\d+\]\s+(?:\S+\s+)?(\d+)\.(\d+): (.*)$/;

let instances = 0;
const open = new Set<SigchldTrace>();
process.on('exit', () => {
  for (const t of open) t.close();
});

export class SigchldTrace {
  private pipe: number;
  private rest = '';
  private readonly buf = Buffer.alloc(64 * 1024);
  private readonly originMs = Number(BigInt(getOrigin())) / 1e6;
  /** Whether wait4 is traced (kernels without syscall tracepoints trace signals only). */
  readonly waits: boolean;

  private constructor(
    private readonly dir: string,
    pipe: number,
    waits: boolean,
    private readonly mounted: string | null,
  ) {
    this.pipe = pipe;
    this.waits = waits;
    open.add(this);
  }

  /** Starts tracing the server `pid`, or says why it cannot. */
  static start(pid: number): SigchldTrace | Unavailable {
    if (process.platform !== 'linux') return 'not-linux';
    if (process.getuid?.() !== 0) return 'not-root';
    let mounted: string | null = null;
    let root = ROOTS.find((r) => existsSync(join(r, 'instances')));
    if (!root) {
      mounted = mountTracefs(ROOTS[0]);
      if (mounted) root = ROOTS[0];
    }
    if (!root) return 'no-tracefs';
    const events = join(root, 'events');
    if (!existsSync(join(events, 'signal', 'signal_generate')) || !existsSync(join(events, 'signal', 'signal_deliver'))) return 'no-events';
    const waits = existsSync(join(events, 'syscalls', 'sys_exit_wait4'));

    const dir = join(root, 'instances', `forkscope-${process.pid}-${++instances}`);
    try {
      mkdirSync(dir);
    } catch (err) {
      return { failed: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
    try {
      const set = (file: string, value: string): void => writeFileSync(join(dir, file), value);
      set('trace_clock', 'mono'); // CLOCK_MONOTONIC: the run's clock
      set('events/signal/signal_generate/filter', `sig == ${SIGCHLD} && pid == ${pid}`);
      set('events/signal/signal_deliver/filter', `sig == ${SIGCHLD} && common_pid == ${pid}`);
      set('events/signal/signal_generate/enable', '1');
      set('events/signal/signal_deliver/enable', '1');
      if (waits) {
        set('events/syscalls/sys_exit_wait4/filter', `common_pid == ${pid} && ret > 0`);
        set('events/syscalls/sys_exit_wait4/enable', '1');
      }
      const pipe = openSync(join(dir, 'trace_pipe'), constants.O_RDONLY | constants.O_NONBLOCK);
      return new SigchldTrace(dir, pipe, waits, mounted);
    } catch (err) {
      removeInstance(dir);
      return { failed: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
  }

  /** Everything traced since the last read, oldest first; never blocks. */
  read(): TraceRecord[] {
    if (this.pipe < 0) return [];
    let text = this.rest;
    for (;;) {
      // readFd answers -1 for "nothing now" (EAGAIN) without an exception: this runs every pass.
      const n = readFd(this.pipe, this.buf);
      if (n <= 0) break;
      text += this.buf.toString('latin1', 0, n);
    }
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    const out: TraceRecord[] = [];
    for (const line of lines) {
      const r = this.parse(line);
      if (r) out.push(r);
    }
    return out;
  }

  /** Stops tracing and removes the instance (also done at process exit). */
  close(): void {
    if (this.pipe < 0) return;
    open.delete(this);
    closeSync(this.pipe);
    this.pipe = -1;
    removeInstance(this.dir);
    if (this.mounted) unmount(this.mounted);
  }

  private parse(line: string): TraceRecord | null {
    const m = LINE.exec(line);
    if (!m) return null;
    const [, , common, sec, frac, rest] = m;
    const t = Math.round((Number(sec) * 1000 + Number(frac.padEnd(6, '0').slice(0, 6)) / 1000 - this.originMs) * 1000) / 1000;
    const colon = rest.indexOf(': ');
    const event = colon < 0 ? rest : rest.slice(0, colon);
    const fields = colon < 0 ? '' : rest.slice(colon + 2);
    if (event === 'signal_generate') {
      // si_code 1–3: the child exited, was killed, dumped core. Stops and continues, and a
      // SIGCHLD someone sent with kill(), are not exits.
      const code = Number(/\bcode=(-?\d+)/.exec(fields)?.[1] ?? 0);
      if (code < 1 || code > 3) return null;
      const res = Number(/\bres=(\d+)/.exec(fields)?.[1] ?? 0);
      return { kind: 'generate', t, child: Number(common), result: RESULTS[res] ?? 'queued' };
    }
    if (event === 'signal_deliver') return { kind: 'deliver', t };
    const wait = /^sys_wait4 -> (0x[0-9a-f]+|\d+)/i.exec(event);
    if (wait) {
      const child = Number(wait[1]);
      return child > 0 ? { kind: 'wait', t, child } : null;
    }
    return null;
  }
}

function removeInstance(dir: string): void {
  for (const ev of ['signal/signal_generate', 'signal/signal_deliver', 'syscalls/sys_exit_wait4']) {
    try {
      writeFileSync(join(dir, 'events', ev, 'enable'), '0');
    } catch {
      // not enabled, or not there
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // EBUSY while a reader still has trace_pipe open; gone already
  }
}

const mount_ = process.platform === 'linux' ? libc.func('int mount(const char *source, const char *target, const char *type, unsigned long flags, const void *data)') : null;
const umount_ = process.platform === 'linux' ? libc.func('int umount2(const char *target, int flags)') : null;

/** Mounts tracefs where it is missing (root only); returns the mount point, or null. */
function mountTracefs(at: string): string | null {
  if (!mount_ || !existsSync(at)) return null;
  if ((mount_('nodev', at, 'tracefs', 0, null) as number) !== 0) return null;
  return existsSync(join(at, 'instances')) ? at : null;
}

function unmount(at: string): void {
  // Another tracer may be using it now: then it stays mounted (EBUSY), which harms no one.
  umount_?.(at, 0);
}
