// `forkscope observe --pid N` on a server it did not start (and must never signal), and every
// bad input the issue names: one clear line each, exit 2 for usage errors, 1 otherwise, and
// nothing left running.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultFireOptions, fireBurst } from '../../server-core/client/engine';
import { allPids, readStat, zombieChildrenOf } from '../helpers/proc';
import { example, python } from '../helpers/python';
import { until } from '../helpers/raw-get';
import { killAllServers, runCli, startObserve } from '../helpers/server';

const started: number[] = [];
afterEach(() => {
  killAllServers();
  for (const pgid of started.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** A Python script run by the test itself, in its own process group; resolves with its pid and the match once it printed `ready`. */
async function startPython(args: string[], ready: RegExp): Promise<{ pid: number; said: RegExpExecArray }> {
  const proc = spawn(python!, args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  started.push(proc.pid!);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  expect(await until(() => ready.test(out), 10_000)).toBe(true);
  return { pid: proc.pid!, said: ready.exec(out)! };
}

/** Processes whose command line contains `marker` (to prove a run left none behind). */
function withMarker(marker: string): number[] {
  return allPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(marker) && readStat(pid)?.state !== 'Z';
    } catch {
      return false;
    }
  });
}

const listenOn = (port: number, reusePort: boolean): string =>
  `import socket, time\ns = socket.socket()\n${reusePort ? 's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)\n' : ''}s.bind(('127.0.0.1', ${port}))\ns.listen(5)\nprint('ready', s.getsockname()[1], flush=True)\ntime.sleep(60)\n`;

describe.skipIf(process.platform !== 'linux' || !python)('forkscope observe --pid and bad input', () => {
  it('--pid watches a server it did not start, never signals it, and ends when that server does', async () => {
    const { pid } = await startPython([example('fork-no-reap.py')[2], '0'], /Serving HTTP on port \d+/);
    const run = await startObserve(['--pid', String(pid)]);
    expect(run.server).toBe(pid);
    expect(run.of('observing')[0].command).toBeUndefined();
    const summary = await fireBurst(defaultFireOptions({ url: `http://127.0.0.1:${run.port}/`, mode: 'burst', clients: 3, conns: 1, timeoutS: 10 }), () => {});
    expect(summary.outcomes.ok).toBe(3);
    await run.waitFor('zombies', (e) => e.count === 3);
    expect(run.of('zombies').at(-1)!.pids).toEqual(zombieChildrenOf(pid));

    const { code } = await run.stop();
    expect(code).toBe(0);
    expect(run.of('master-exit')).toEqual([]);
    expect(run.of('leftovers').at(-1)!.ended).toEqual([]);
    expect(readStat(pid)?.state).toMatch(/^[SR]$/); // still serving: observe never touched it
    expect(zombieChildrenOf(pid)).toHaveLength(3);

    // Watched again, it ends when the server does (killed here, by the one who started it).
    const again = await startObserve(['--pid', String(pid)]);
    process.kill(-pid, 'SIGKILL');
    await once(again.proc, 'exit');
    expect(again.of('master-exit')).toHaveLength(1);
    expect(again.proc.exitCode).toBe(0);
  });

  it('usage errors exit 2 with one line: neither or both of command and --pid, a bad flag, a missing command, a pid that is not there', async () => {
    const cases: [string[], RegExp][] = [
      [['observe'], /give a command to start .* or --pid N/],
      [['observe', '--pid', '1', '--', 'true'], /not both/],
      [['observe', '--listen-timeout', 'soon', '--', 'true'], /--listen-timeout must be a number of seconds/],
      [['observe', '--', 'no-such-server-xyz'], /cannot run 'no-such-server-xyz': no such command/],
      [['observe', '--pid', '4194000'], /there is no process 4194000/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help')).length).toBe(1);
    }
  });

  it('a server that exits at once: exit 1 with its status and last stderr lines', async () => {
    const r = await runCli(['observe', '--', python!, '-c', "import sys; sys.stderr.write('cannot bind: boom\\n'); sys.exit(3)"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exited before it listened \(exit status 3\)/);
    expect(r.stderr).toMatch(/cannot bind: boom/);
  });

  it('a server that never listens: exit 1 after --listen-timeout, and it is stopped', async () => {
    const marker = `never-listens-${process.pid}`;
    const r = await runCli(['observe', '--listen-timeout', '0.5', '--', python!, '-c', 'import time; time.sleep(60)', marker]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not open a listening TCP socket within 0.5 s/);
    expect(withMarker(marker)).toEqual([]);
  });

  it('a port another process also serves (SO_REUSEPORT): exit 1, and several ports need --port (exit 2)', async () => {
    const other = await startPython(['-c', listenOn(0, true)], /ready (\d+)/);
    const port = Number(other.said[1]);
    const shared = await runCli(['observe', '--listen-timeout', '5', '--', python!, '-c', listenOn(port, true)]);
    expect(shared.code).toBe(1);
    expect(shared.stderr).toMatch(new RegExp(`port ${port} is also served by another process`));

    // The second port opens a moment after the first, as a server starting up opens them in a row.
    const two = `import socket, time\na = socket.socket(); a.bind(('127.0.0.1', 0)); a.listen(1)\ntime.sleep(0.1)\nb = socket.socket(); b.bind(('127.0.0.1', 0)); b.listen(1)\ntime.sleep(60)\n`;
    const several = await runCli(['observe', '--listen-timeout', '5', '--', python!, '-c', two]);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/listens on ports \d+, \d+: choose one with --port/);
  });
});


const NOBODY = 65534;
const asNobody = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];

/** A Python an unprivileged user can run (a pyenv under /root is out of its reach), when root may drop to one. */
function pythonForNobody(): string | null {
  if (process.getuid?.() !== 0 || !python) return null;
  // Probed the way observe starts it: spawned by node running as that user.
  const probe = (candidate: string): string =>
    `require('child_process').spawn(${JSON.stringify(candidate)}, ['-c', ${JSON.stringify(`open(${JSON.stringify(example('iterative.py')[2])}).close()`)}]).on('error', () => process.exit(1)).on('exit', (c) => process.exit(c ?? 1))`;
  for (const candidate of [python, '/usr/bin/python3']) {
    if (spawnSync(asNobody[0], [...asNobody.slice(1), process.execPath, '-e', probe(candidate)]).status === 0) return candidate;
  }
  return null;
}
const nobodyPython = pythonForNobody();

describe.skipIf(process.platform !== 'linux' || !nobodyPython)('forkscope observe without root', () => {
  it('says in one line that SIGCHLD cannot be traced, still counts zombies from /proc, and cannot look into root\'s processes', async () => {
    const run = await startObserve(['--', nobodyPython!, example('fork-no-reap.py')[2], '0'], { wrap: asNobody });
    expect(run.of('observing')[0].tracing).toBe(false);
    const notice = await run.waitFor('notice', (e) => e.code === 'NO_TRACE');
    expect(notice.message).toMatch(/cannot be seen here: tracing them needs root/);
    expect(run.of('notice').filter((e) => e.code === 'NO_TRACE')).toHaveLength(1);
    await fireBurst(defaultFireOptions({ url: `http://127.0.0.1:${run.port}/`, mode: 'burst', clients: 2, conns: 1, timeoutS: 10 }), () => {});
    await run.waitFor('zombies', (e) => e.count === 2);
    expect(run.of('zombies').at(-1)!.pids).toEqual(zombieChildrenOf(run.server));
    expect(run.of('sigchld')).toEqual([]); // no count rather than a guessed one
    expect((await run.stop()).code).toBe(0);

    const r = await runCli(['observe', '--pid', '1'], { wrap: asNobody });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/process 1 belongs to another user \(uid 0\)/);
  });
});
