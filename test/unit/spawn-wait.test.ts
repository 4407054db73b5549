// posix_spawn through koffi and waitpid decoding, against real processes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeFd, makePipe, spawnProcess } from '../../server-core/sys/spawn';
import { decodeStatus, sendSignal, signalNumber, waitNoHang } from '../../server-core/sys/wait';
import { pidState } from '../../server-core/proc';

async function waitFor(pid: number, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const r = waitNoHang(pid); // a known pid only: vitest's own children are not ours to reap
    if (r) return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`pid ${pid} did not end`);
}

describe('spawnProcess', () => {
  it('passes fds at 3, 4, keeps stdio, closes the rest, resets signals, gives a minimal env', async () => {
    const [r, w] = makePipe();
    const [r2, w2] = makePipe();
    const { pid, spawnMs } = await spawnProcess({
      path: '/bin/sh',
      argv: ['sh', '-c', 'ls /proc/self/fd | tr "\\n" " " >&4; echo >&4; grep SigIgn /proc/self/status >&4; env | wc -l >&4; echo via3 >&3; exit 3'],
      env: { FOO: 'bar' },
      fds: [w2, w],
    });
    expect(pid).toBeGreaterThan(0);
    expect(spawnMs).toBeGreaterThanOrEqual(0);
    expect(spawnMs).toBeLessThan(10_000); // measured, not a speed test (bench/ has those)
    closeFd(w);
    closeFd(w2);
    const res = await waitFor(pid);
    expect(res.code).toBe(3);
    const out = readFileSync(`/proc/self/fd/${r}`, 'utf8').split('\n');
    const via3 = readFileSync(`/proc/self/fd/${r2}`, 'utf8');
    closeFd(r);
    closeFd(r2);
    // fds 0-2, 3, 4 and the one `ls` opened for /proc/self/fd
    expect(out[0].trim().split(' ').map(Number)).toEqual([0, 1, 2, 3, 4, 5]);
    // SIGPIPE (13) is ignored in Node; not in the child. Only glibc's internal 32/33 may remain.
    const ign = BigInt(`0x${out[1].split(/\s+/)[1]}`);
    expect(ign & ~0x180000000n).toBe(0n);
    expect(Number(out[2].trim())).toBeLessThanOrEqual(3); // FOO, and sh's PWD/SHLVL at most
    expect(via3).toBe('via3\n');
  });

  it('reports a signal death, and a zombie stays until waited for', async () => {
    const { pid } = await spawnProcess({ path: '/bin/sleep', argv: ['sleep', '30'], env: {}, fds: [] });
    sendSignal(pid, 9);
    const end = Date.now() + 5000;
    while (pidState(pid) !== 'Z' && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(pidState(pid)).toBe('Z');
    sendSignal(pid, 9); // kill -9 cannot remove a zombie
    expect(pidState(pid)).toBe('Z');
    const res = await waitFor(pid);
    expect(res.signal).toBe('SIGKILL');
    expect(pidState(pid)).toBeNull();
  });

  it('throws SysError for a program that does not exist', async () => {
    // posix_spawn reports exec failure as its return value (glibc: ENOENT)
    await expect(spawnProcess({ path: '/nonexistent/prog', argv: ['x'], env: {}, fds: [] })).rejects.toThrow(/ENOENT/);
  });
});

describe('wait status decoding', () => {
  it('decodes exit codes and signals', () => {
    expect(decodeStatus(1, 0x0100)).toMatchObject({ code: 1 });
    expect(decodeStatus(1, 0)).toMatchObject({ code: 0 });
    expect(decodeStatus(1, 9)).toMatchObject({ signal: 'SIGKILL' });
    expect(decodeStatus(1, 15 | 0x80)).toMatchObject({ signal: 'SIGTERM' }); // core dumped bit
    expect(signalNumber('KILL')).toBe(9);
    expect(signalNumber('sigterm')).toBe(15);
    expect(signalNumber('9')).toBe(9);
    expect(signalNumber('nope')).toBeUndefined();
  });
});

describe('spawnProcess stdio', () => {
  it("can give the child /dev/null as stdin and the caller's stderr as its stdout", async () => {
    const [r, w] = makePipe();
    const { pid } = await spawnProcess({
      path: '/bin/sh',
      // $(…) runs readlink in a subshell: /proc/$$ is still the shell, whose fds are the ones to see
      argv: ['sh', '-c', 'for fd in 0 1 2; do echo $(readlink /proc/$$/fd/$fd) >&3; done'],
      env: {},
      fds: [w],
      stdio: { stdin: 'null', stdout: 'stderr' },
    });
    closeFd(w);
    expect((await waitFor(pid)).code).toBe(0);
    const [fd0, fd1, fd2] = readFileSync(`/proc/self/fd/${r}`, 'utf8').trim().split('\n');
    closeFd(r);
    expect(fd0).toBe('/dev/null');
    expect(fd1).toBe(fd2);
  });
});
