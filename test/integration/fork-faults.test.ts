// Faults and safety switches of the process models, against real processes: an app that
// throws, a worker killed by a signal, --worker-timeout, --max-zombies, --child-keeps-listener.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, expect, it } from 'vitest';
import { canBind, killAllServers, startServer } from '../helpers/server';
import { readStat, zombieChildrenOf } from '../helpers/proc';
import { get, rawGet, sleep, until } from '../helpers/raw-get';

afterAll(() => killAllServers());


/**
 * SIGKILL to the master alone, then wait for its exit status. Not for /proc state Z: the
 * thread-group leader shows Z while its other threads are still closing the shared fd table.
 */
async function killMaster(proc: ChildProcess): Promise<void> {
  const exited = once(proc, 'exit');
  proc.kill('SIGKILL');
  await exited;
}

/** The inode of the socket listening on 127.0.0.1:port (/proc/net/tcp: fine in a test, never at run time). */
function listenInode(port: number): string | null {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[3] === '0A' && Number.parseInt(f[1].split(':')[1], 16) === port) return f[9];
  }
  return null;
}

/** The fds of pid that are the socket with this inode. */
function fdsOfSocket(pid: number, inode: string): number[] {
  const out: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) out.push(Number(fd));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

it('an app that throws: the client gets a 500, the worker exits 1 and reap shows it', async () => {
  const run = await startServer(['crash', '--model', 'fork', '--port', '0']);
  const res = await get(run.port, '/');
  expect(res.status).toBe(500);
  const fork = await run.waitFor('fork');
  const err = await run.waitFor('error', (e) => e.pid === fork.child);
  expect(err.status).toBe(500);
  const reap = await run.waitFor('reap', (e) => e.child === fork.child);
  expect(reap.code).toBe(1);
  expect((await run.stop()).code).toBe(0);
}, 30_000);

it('an app that no longer loads in the worker: a raw 500, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-app-'));
  const file = join(dir, 'app.mjs');
  writeFileSync(file, "export default (environ, start_response) => { start_response('200 OK', []); return ['ok']; };\n");
  try {
    const run = await startServer([`${file}:default`, '--model', 'fork', '--port', '0']);
    expect((await get(run.port, '/')).status).toBe(200);
    rmSync(file); // the master loaded it before listening; each new worker loads it again
    const res = await get(run.port, '/');
    expect(res.status).toBe(500);
    await run.waitForCount('fork', 2); // the master's fork line may come after the worker's answer
    const fork = run.of('fork')[1];
    const err = await run.waitFor('error', (e) => e.pid === fork.child && e.code === 'APP_LOAD');
    expect(err.conn).toBe(fork.conn);
    expect((await run.waitFor('reap', (e) => e.child === fork.child)).code).toBe(1);
    expect((await run.stop()).code).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

it("an app's console.log goes to stderr: the event stream on stdout stays JSON", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-app-'));
  const file = join(dir, 'chatty.mjs');
  writeFileSync(file, "export default (environ, start_response) => { console.log('hello from the app'); start_response('200 OK', []); return ['ok']; };\n");
  try {
    const run = await startServer([file, '--model', 'fork', '--port', '0']);
    expect((await get(run.port, '/')).status).toBe(200);
    await run.waitFor('reap');
    expect(run.stderr()).toContain('hello from the app');
    expect(run.stderr()).not.toContain('[non-JSON stdout]');
    expect((await run.stop()).code).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

it('a worker killed by a signal: reap shows the signal', async () => {
  const run = await startServer(['slow', '--model', 'fork', '--port', '0']);
  const client = rawGet(run.port, '/?ms=20000').catch((e: Error) => e);
  const fork = await run.waitFor('fork');
  run.send({ cmd: 'kill', pid: fork.child, signal: 'SIGKILL' });
  const reap = await run.waitFor('reap', (e) => e.child === fork.child);
  expect(reap.signal).toBe('SIGKILL');
  expect(reap.code).toBeUndefined();
  expect(await client).toBeInstanceOf(Error); // the connection died with its worker
  expect((await run.stop()).code).toBe(0);
}, 30_000);

it('--worker-timeout: SIGTERM to a worker that runs too long, said with an event', async () => {
  const run = await startServer(['slow', '--model', 'fork', '--worker-timeout', '1', '--port', '0']);
  const client = rawGet(run.port, '/?ms=20000').catch((e: Error) => e);
  const fork = await run.waitFor('fork');
  const sent = await run.waitFor('signal-sent', (e) => e.child === fork.child);
  expect(sent).toMatchObject({ signal: 'SIGTERM', reason: 'worker-timeout' });
  const reap = await run.waitFor('reap', (e) => e.child === fork.child);
  expect(reap.signal).toBe('SIGTERM');
  // Counted from the spawn's start, as the master counts it (fork.t is stamped once posix_spawn returned).
  expect(sent.t - (fork.t - fork.spawnMs)).toBeGreaterThanOrEqual(900);
  await client;
  expect((await run.stop()).code).toBe(0);
}, 30_000);

it('--worker-timeout: a worker that ignores SIGTERM gets SIGKILL, said with an event', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-app-'));
  const file = join(dir, 'stubborn.mjs');
  writeFileSync(
    file,
    "process.on('SIGTERM', () => {});\n" +
      "export default async (environ, start_response) => { await new Promise((r) => setTimeout(r, 20000)); start_response('200 OK', []); return ['late']; };\n",
  );
  try {
    const run = await startServer([file, '--model', 'fork', '--worker-timeout', '1', '--port', '0']);
    const client = rawGet(run.port, '/', { timeoutMs: 30_000 }).catch((e: Error) => e);
    const fork = await run.waitFor('fork');
    const term = await run.waitFor('signal-sent', (e) => e.child === fork.child && e.signal === 'SIGTERM');
    expect(term.reason).toBe('worker-timeout');
    const kill = await run.waitFor('signal-sent', (e) => e.child === fork.child && e.signal === 'SIGKILL', 15_000);
    expect(kill.reason).toBe('worker-timeout');
    expect(kill.t).toBeGreaterThan(term.t);
    // The kernel's word: the exit status says SIGKILL, and the worker is gone.
    const reap = await run.waitFor('reap', (e) => e.child === fork.child, 15_000);
    expect(reap.signal).toBe('SIGKILL');
    expect(readStat(fork.child)).toBeNull();
    await client;
    expect((await run.stop()).code).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

it('--max-zombies: at the cap the master stops accepting, and resumes once they are reaped', async () => {
  const run = await startServer(['hello', '--model', 'fork', '--reap', 'none', '--max-zombies', '3', '--port', '0']);
  for (let i = 0; i < 3; i++) expect((await get(run.port, '/')).status).toBe(200);
  const off = await run.waitFor('accepting', (e) => !e.on);
  expect(off.reason).toBe('max-zombies');
  expect(zombieChildrenOf(run.pid)).toHaveLength(3);

  const waiting = rawGet(run.port, '/');
  await sleep(500);
  expect(run.of('accept')).toHaveLength(3); // the 4th waits in the kernel's queue
  run.send({ cmd: 'reap-now' });
  await run.waitFor('accepting', (e) => e.on);
  expect((await waiting).status).toBe(200);
  await run.waitForCount('accept', 4);
  expect(run.of('accept')).toHaveLength(4);

  // set-reap loop: from the next SIGCHLD on, every exit is collected.
  run.send({ cmd: 'set-reap', policy: 'loop' });
  await run.waitFor('reap-policy', (e) => e.policy === 'loop');
  expect((await get(run.port, '/')).status).toBe(200);
  expect(await until(() => zombieChildrenOf(run.pid).length === 0, 5_000)).toBe(true);
  expect((await run.stop()).code).toBe(0);
}, 30_000);

it('--child-keeps-listener: the port stays bound after the master dies, while a worker lives', async () => {
  const run = await startServer(['slow', '--model', 'fork', '--child-keeps-listener', '--port', '0']);
  const client = rawGet(run.port, '/?ms=20000').catch((e: Error) => e);
  const fork = await run.waitFor('fork');
  await run.waitFor('worker-ready', (e) => e.pid === fork.child);
  const worker = fork.child;
  const inode = listenInode(run.port)!;
  expect(inode).toBeTruthy();
  expect(fdsOfSocket(worker, inode)).toEqual([6]); // the listening socket, kept open on purpose
  try {
    await killMaster(run.proc);
    expect(readStat(worker)?.state).toMatch(/[RS]/);
    expect(await canBind(run.port)).toBe(false); // the worker still holds the listener
    process.kill(worker, 'SIGKILL');
    await until(() => readStat(worker) === null || readStat(worker)?.state === 'Z', 5_000);
    let free = false;
    for (let i = 0; i < 50 && !free; i++) {
      free = await canBind(run.port);
      if (!free) await sleep(100);
    }
    expect(free).toBe(true);
  } finally {
    run.kill();
  }
  await client;
}, 30_000);

it('without --child-keeps-listener the worker has no listener: the port is free as soon as the master dies', async () => {
  const run = await startServer(['slow', '--model', 'fork', '--port', '0']);
  const client = rawGet(run.port, '/?ms=20000').catch((e: Error) => e);
  const fork = await run.waitFor('fork');
  await run.waitFor('worker-ready', (e) => e.pid === fork.child);
  expect(fdsOfSocket(fork.child, listenInode(run.port)!)).toEqual([]); // the listener was not passed on
  try {
    await killMaster(run.proc);
    expect(readStat(fork.child)?.state).toMatch(/[RS]/); // the worker lives on, serving its client
    expect(await canBind(run.port)).toBe(true);
  } finally {
    run.kill();
  }
  await client;
}, 30_000);
