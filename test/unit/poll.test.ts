// poll() on libuv's thread pool: readiness, cancel through the wake pipe, timeout, and a
// real EINTR: a signal sent (tgkill) to the very pool thread blocked in poll().
import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { libc } from '../../server-core/sys/libc';
import { Waiter } from '../../server-core/sys/poll';
import { closeQuietly, pipeCloexecNonblock, writeFd } from '../../server-core/sys/socket';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function pipe(): [number, number] {
  const fds = pipeCloexecNonblock();
  cleanup.push(() => fds.forEach(closeQuietly));
  return fds;
}

function waiter(onEintr?: (call: string) => void): Waiter {
  const w = new Waiter(onEintr);
  cleanup.push(() => w.close());
  return w;
}

/** Threads of this process the kernel shows asleep in poll(). */
function threadsInPoll(): number[] {
  return readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => {
      try {
        return tid !== process.pid && /poll/.test(readFileSync(`/proc/self/task/${tid}/wchan`, 'utf8'));
      } catch {
        return false;
      }
    });
}

describe.runIf(process.platform === 'linux')('Waiter', () => {
  it('resolves ready when the fd becomes readable, without blocking the event loop', async () => {
    const [r, w] = pipe();
    const wt = waiter();
    const pending = wt.wait(r);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    // The event loop keeps turning while the wait is pending (however long a busy machine takes to show it).
    const deadline = Date.now() + 5000;
    while (ticks <= 3 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    writeFd(w, Buffer.from('x'));
    const out = await pending;
    clearInterval(timer);
    expect(out.result).toBe('ready');
    expect(ticks).toBeGreaterThan(3);
  });

  it('is cancelled through its wake pipe, and times out', async () => {
    const [r] = pipe();
    const wt = waiter();
    const pending = wt.wait(r);
    setTimeout(() => wt.cancel(), 30);
    expect((await pending).result).toBe('cancelled');
    expect((await wt.wait(r, undefined, 30)).result).toBe('timeout');
  });

  it('re-issues poll() after EINTR and reports it', async () => {
    const tgkill = libc.func('int tgkill(int tgid, int tid, int sig)');
    const onSig = (): void => {};
    process.on('SIGUSR2', onSig); // a handler, so the signal interrupts instead of killing
    cleanup.push(() => process.off('SIGUSR2', onSig));
    const [r, w] = pipe();
    const calls: string[] = [];
    const wt = waiter((call) => calls.push(call));
    const before = new Set(threadsInPoll());
    const pending = wt.wait(r);
    let tids: number[] = [];
    for (let i = 0; i < 100 && tids.length === 0; i++) {
      await new Promise((res) => setTimeout(res, 10));
      tids = threadsInPoll().filter((t) => !before.has(t));
    }
    expect(tids.length).toBeGreaterThan(0);
    for (const tid of tids) expect(tgkill(process.pid, tid, 12 /* SIGUSR2 */)).toBe(0);
    for (let i = 0; i < 100 && calls.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(calls[0]).toBe('poll');
    // Still waiting after the interruption: the data decides, not the signal.
    writeFd(w, Buffer.from('x'));
    expect((await pending).result).toBe('ready');
  });
});
