// Every command in the README's command-line section, run as written from the repository's top
// folder, with the files in examples/. Two differences, both checked: `npx forkscope` is run as
// `node bin/forkscope.mjs` (what npx runs; npm's own start-up would cost a CPU-second per command)
// after one real `npx forkscope --version` shows they are the same; and each server gets
// `--port 0` (any free port) with each `fire` pointed at the server it goes with, so the test
// cannot collide with anything else on 127.0.0.1:8888.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, root } from '../helpers/server';

/** The README's command-line section: its shell block, and the commands in its lesson table. */
function readmeCommands(): { block: string[][]; table: string[][] } {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = /^## The command line\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
  const block = (/```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '')
    .split('\n')
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter((l) => l.startsWith('npx forkscope '))
    .map((l) => l.split(/\s+/).slice(2));
  const table = [...section.matchAll(/`((?:serve|fire)(?: [^`]*)?)`/g)].map((m) => m[1].split(/\s+/));
  return { block, table };
}

interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

const started = new Set<ChildProcess>();

/** `forkscope ARGS` in its own process group; `npx: true` runs it through npx itself. */
function forkscope(args: string[], how: { npx?: boolean } = {}): Proc {
  const [cmd, ...argv] = how.npx ? ['npx', 'forkscope', ...args] : [process.execPath, cli, ...args];
  const child = spawn(cmd, argv, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  started.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = once(child, 'exit').then(([code]) => {
    started.delete(child);
    return code as number | null;
  });
  return { child, out: () => out, err: () => err, exited };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* gone */
  }
}

afterAll(() => {
  for (const c of started) signalGroup(c, 'SIGKILL');
  // The README's `serve … --record run.forkscope.jsonl` writes its recording where it runs.
  rmSync(join(root, 'run.forkscope.jsonl'), { force: true });
});

/** Starts a README `serve` command on a free port; resolves with the port it listens on. */
async function serve(args: string[]): Promise<{ proc: Proc; port: number }> {
  const proc = forkscope([...args, '--port', '0']);
  const deadline = Date.now() + 30_000;
  for (;;) {
    // The human log's first line, or the JSON `listening` event.
    const m = /Serving HTTP on http:\/\/127\.0\.0\.1:(\d+)/.exec(proc.out()) ?? /"type":"listening"[^\n]*"port":(\d+)/.exec(proc.out());
    if (m) return { proc, port: Number(m[1]) };
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`forkscope ${args.join(' ')} did not start:\n${proc.err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ctrl+C's signal to the server's group; it stops cleanly and leaves no trace on stderr. */
async function stop(proc: Proc): Promise<void> {
  signalGroup(proc.child, 'SIGINT');
  await proc.exited;
  expect(proc.err()).not.toMatch(/^\s+at .+:\d+/m);
}

/** A README `fire` command aimed at a server: the URL it would default to, on that server's port. */
async function fire(args: string[], port: number): Promise<{ code: number | null; out: string }> {
  const proc = forkscope([...args, `http://127.0.0.1:${port}/hello`]);
  const code = await proc.exited;
  return { code, out: proc.out() };
}

/** What each README server must answer to a plain GET /hello, or GET / for the framework apps. */
function expectedBody(args: string[]): { path: string; body: RegExp } {
  if (args.some((a) => a.includes('examples/app.mjs'))) return { path: '/', body: /Hello from Hono/ };
  if (args.some((a) => a.includes('examples/app.cjs'))) return { path: '/', body: /Hello from Express/ };
  if (args.includes('echo')) return { path: '/hello', body: /GET \/hello/ };
  return { path: '/hello', body: /[Hh]ello/ };
}

const { block, table } = readmeCommands();
const backlogServe = table.find((a) => a[0] === 'serve' && a.includes('--backlog'));

// Concurrently: the send-nothing client waits out the server's 10 s read timeout meanwhile.
describe.concurrent("the README's command line, as written", () => {
  it('npx forkscope is bin/forkscope.mjs', async () => {
    const viaNpx = forkscope(['--version'], { npx: true });
    const direct = forkscope(['--version']);
    expect(await viaNpx.exited).toBe(0);
    expect(await direct.exited).toBe(0);
    expect(viaNpx.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(viaNpx.out()).toBe(direct.out());
  });

  it('--version and -V print the version in package.json, and exit 0', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const p = forkscope([flag]);
      expect(await p.exited).toBe(0);
      expect(p.out()).toBe(`${version}\n`);
      expect(p.err()).toBe('');
    }
  });

  it('finds the commands', () => {
    expect(block.filter((a) => a[0] === 'serve').length).toBeGreaterThanOrEqual(6);
    expect(block.filter((a) => a[0] === 'fire').length).toBeGreaterThanOrEqual(4);
    expect(table.length).toBeGreaterThanOrEqual(4);
  });

  it('every serve command starts, answers a request, and stops on Ctrl+C', async () => {
    // The table's backlog lesson has its own test below.
    const serves = [...block, ...table].filter((a) => a[0] === 'serve' && a !== backlogServe);
    await Promise.all(
      serves.map(async (args) => {
        const { proc, port } = await serve(args);
        const want = expectedBody(args);
        const proc2 = forkscope(['fire', `http://127.0.0.1:${port}${want.path}`]);
        expect(await proc2.exited, `fire at forkscope ${args.join(' ')}`).toBe(0);
        expect(proc2.out()).toMatch(/< HTTP\/1\.1 200 OK/);
        expect(proc2.out()).toMatch(want.body);
        await stop(proc);
      }),
    );
  });

  it("every fire command gets its answer from the first server (serve hello)", async () => {
    const { proc, port } = await serve(block.find((a) => a[0] === 'serve')!);
    const fires = block.filter((a) => a[0] === 'fire');
    const results = await Promise.all(fires.map((args) => fire(args, port).then((r) => ({ args, ...r }))));
    for (const r of results) {
      expect(r.code, `forkscope ${r.args.join(' ')}`).toBe(0);
      if (r.args.includes('--raw')) expect(r.out).toMatch(/< HTTP\/1\.1 400 Bad Request/);
      else if (r.args.includes('--send-nothing')) expect(r.out).toMatch(/< HTTP\/1\.1 408 Request Timeout/);
      else if (r.args.includes('--clients')) expect(r.out).toMatch(/^20 connections in/m);
      else expect(r.out).toMatch(/< HTTP\/1\.1 200 OK/);
    }
    await stop(proc);
  });

  it('the backlog lesson from the table: the burst fills the queue and every client is answered', async () => {
    const fireArgs = table.find((a) => a[0] === 'fire')!;
    const { proc, port } = await serve(backlogServe!);
    const r = await fire(fireArgs, port);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^8 connections in/m);
    expect(r.out).toMatch(/200 OK ×8/);
    await stop(proc);
  });
});
