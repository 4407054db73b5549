// `--calls`: the server's own system calls, told as they are made — strace's view, from the
// inside. Every binding in server-core/sys reports the call it just made here. Off by default,
// and then free: a call site only tests `tracer` (null) before building anything.
// No koffi here: a fork-model worker, which makes its calls through Node's fs, reports too.

export interface CallRecord {
  /** The system call's name, as strace would print it: 'accept4', 'recv', 'close'. */
  call: string;
  /** Its arguments, written as strace writes them: '5, 65536, MSG_DONTWAIT'. */
  args: string;
  /** What it returned (-1 on failure). */
  ret: number;
  /** The errno name when it failed ('EAGAIN', 'EINTR'). */
  errno?: string;
}

export type CallTracer = (record: CallRecord) => void;

/** Where calls are reported; null (the default) while --calls is off. */
export let tracer: CallTracer | null = null;

export function traceCalls(sink: CallTracer | null): void {
  tracer = sink;
}

/** Reports one call (only call this after testing `tracer`). */
export function traced(call: string, args: string, ret: number, errno?: string): void {
  tracer?.(errno === undefined ? { call, args, ret } : { call, args, ret, errno });
}
