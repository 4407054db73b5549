// The process table is full: posix_spawn fails with EAGAIN. Root is exempt from RLIMIT_NPROC,
// so the master runs as an unprivileged user (setpriv) with its limit set (prlimit, before the
// exec) to exactly the threads that user will have once the master runs — counted from a probe
// run of the same master — so the kernel refuses its next clone(). The client gets a 503 that
// says so, an `error` event names EAGAIN, no child exists in /proc, and the server keeps
// answering.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { childrenOf } from '../helpers/proc';
import { get } from '../helpers/raw-get';
import { cli, killAllServers, startServer } from '../helpers/server';

const NOBODY = 65534;
const asNobody = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];

afterAll(() => killAllServers());

/** Root, setpriv and prlimit here, and the bundles readable by an unprivileged user. */
function canDropPrivileges(): boolean {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  if (spawnSync('prlimit', ['--version']).status !== 0) return false;
  const probe = spawnSync(asNobody[0], [...asNobody.slice(1), process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(cli)})`]);
  return probe.status === 0;
}

/** Threads (tasks) of every process of `uid`: what RLIMIT_NPROC counts. */
function threadsOf(uid: number): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid) n += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      /* gone meanwhile */
    }
  }
  return n;
}

/** Threads of one process, once its count has held still for a moment (the thread pool starts lazily). */
async function settledThreads(pid: number): Promise<number> {
  const read = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  let last = read();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = read();
    if (now === last && i >= 2) return now;
    last = now;
  }
  return last;
}

it.skipIf(!canDropPrivileges())('fork: posix_spawn refused with EAGAIN (RLIMIT_NPROC) → 503 and an error event; the server keeps answering', async () => {
  const args = ['hello', '--model', 'fork', '--port', '0'];
  // With its one pool thread from the start, a fork-model master does not start over
  // (sigchld-eintr.ts): the threads counted in the probe are all it ever has.
  const env = { UV_THREADPOOL_SIZE: '1' };
  const probe = await startServer(args, { wrap: asNobody, env });
  const masterThreads = await settledThreads(probe.pid);
  expect((await probe.stop()).code).toBe(0);

  const full = threadsOf(NOBODY) + masterThreads;
  const run = await startServer(args, { wrap: ['prlimit', `--nproc=${full}`, ...asNobody], env });
  for (let i = 0; i < 2; i++) {
    const refused = await get(run.port, '/hello');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatch(/could not start a process/);
  }
  await run.waitForCount('error', 2);
  for (const error of run.of('error')) {
    expect(error.code).toBe('EAGAIN');
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/EAGAIN.*RLIMIT_NPROC/);
  }
  expect(run.of('fork')).toHaveLength(0);
  expect(childrenOf(run.pid)).toEqual([]); // the kernel made no child
  expect((await run.stop()).code).toBe(0);
}, 60_000);
