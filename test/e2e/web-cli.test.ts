// `forkscope web` and `npm start` as a user runs them: one address line, the token enforced by the
// real server, usage errors in one line, and Ctrl+C / SIGTERM leaving no process of the run.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { readStat } from '../helpers/proc';
import { runCli } from '../helpers/server';
import { descendantsOf, ensureApp, root, startWeb, type WebRun } from './harness';

const runs: WebRun[] = [];
afterEach(async () => {
  for (const r of runs.splice(0)) {
    await r.stop().catch(() => {});
    r.kill();
  }
});

type Call = (channel: string, arg: unknown) => Promise<{ result?: any; error?: string }>;

/** Runs `use` with the bridge's WebSocket of the app at `url` (the token from its address). */
async function viaBridge<T>(url: string, use: (call: Call) => Promise<T>): Promise<T> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`);
  await once(ws, 'open');
  let id = 0;
  const call: Call = (channel, arg) =>
    new Promise((resolve) => {
      const mine = ++id;
      const onMessage = (data: Buffer) => {
        const m = JSON.parse(data.toString());
        if (m.id !== mine) return;
        ws.off('message', onMessage);
        resolve(m);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: mine, channel, arg }));
    });
  try {
    return await use(call);
  } finally {
    ws.close();
  }
}

/** Starts a fork server with reap none through the bridge and makes 3 zombies; returns the master pid. */
async function zombiesVia(url: string): Promise<number> {
  return viaBridge(url, async (call) => {
    const started = await call('server:start', {
      model: 'fork', reap: 'none', app: 'hello', interface: 'wsgi', host: '127.0.0.1', port: 0, backlog: 5,
      workers: 2, maxRequests: 0, parentKeepsConn: false, childKeepsListener: false, keepAlive: false,
    });
    expect(started.error).toBeUndefined();
    const { pid, port } = started.result.master;
    const fired = await call('client:fire', {
      url: `http://127.0.0.1:${port}/hello`, mode: 'burst', method: 'GET', headers: [], clients: 3, conns: 1, timeoutS: 30, allowRemote: false,
    });
    expect(fired.result.statuses).toEqual({ '200': 3 });
    return pid;
  });
}

/** The zombies the app's supervisor has seen in /proc (its observer samples at 10 Hz). */
async function zombiesSeen(url: string): Promise<number> {
  return viaBridge(url, async (call) => (await call('timeline:snapshot', null)).result?.summary?.zombies?.count ?? -1);
}

describe('forkscope web', () => {
  it('prints exactly one line, and the real server refuses requests without the token', async () => {
    await ensureApp();
    const web = await startWeb();
    runs.push(web);
    await new Promise((r) => setTimeout(r, 300));
    expect(web.stdout().trim().split('\n')).toEqual([`forkscope web: ${web.url}`]);
    const base = `http://127.0.0.1:${web.port}`;
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/?token=nope`)).status).toBe(403);
    const page = await fetch(web.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
  });

  it('SIGTERM with a server running and zombies: exits 0 and leaves no process of the run', async () => {
    await ensureApp();
    const web = await startWeb();
    runs.push(web);
    const master = await zombiesVia(web.url);
    // The responses are in; the workers exit a moment later.
    await expect.poll(() => descendantsOf(web.pid).filter((p) => p.state === 'Z').length, { timeout: 30_000 }).toBe(3);
    const run = descendantsOf(web.pid);
    expect(run.map((p) => p.pid)).toContain(master);
    await expect.poll(() => zombiesSeen(web.url), { timeout: 30_000 }).toBe(3); // and the supervisor's observer has sampled them
    const { code } = await web.stop();
    expect(code).toBe(0);
    for (const p of run) expect(readStat(p.pid)).toBeNull();
    // One line says what was stopped, as /proc last showed it.
    expect(web.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^forkscope web: stopped the server on 127\\.0\\.0\\.1:\\d+ \\(master ${master}, fork model\\) and its 3 zombies — nothing of it is left running$`)),
    ]);
  });

  it('refuses a bad port in one line with exit 2', async () => {
    const r = await runCli(['web', '--port', 'abc', '--no-open']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--port must be a whole number from 0 to 65535, not "abc"/); // the value as typed, not NaN
  });

  it('says so in one line when the port is taken', async () => {
    await ensureApp();
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await runCli(['web', '--port', String(port), '--no-open']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`port ${port} is already in use`))]);
    } finally {
      taken.close();
    }
  });
});

describe('npm start', () => {
  const hasElectron = existsSync(join(root, 'node_modules', 'electron', 'path.txt'));

  it("without an Electron binary tries Electron's installer, says why it could not, runs browser mode, and Ctrl+C leaves nothing", async () => {
    const proc = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), ...(hasElectron ? ['--web'] : []), '--no-open'], {
      cwd: root,
      detached: true, // its own process group, like a terminal's foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
      // Electron's installer is tried first: here against a port nobody listens on, so the test
      // never downloads anything (test/integration/electron-install.test.ts tests a download).
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' },
    });
    let out = '';
    let err = '';
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = once(proc, 'exit') as Promise<[number | null, string | null]>;
    try {
      await expect.poll(() => out, { timeout: 90_000, interval: 100 }).toMatch(/^forkscope web: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)\n$/);
      if (!hasElectron) {
        expect(err).toMatch(/^forkscope: Electron's binary is missing .*: fetching it with Electron's installer/m);
        expect(err).toMatch(/^forkscope: no Electron binary here \(the download failed: .*fetch failed; .*install-electron.* browser instead$/m);
      }
      const url = /(http:\S+)/.exec(out)![1];
      const master = await zombiesVia(url);
      await expect.poll(() => descendantsOf(proc.pid!).filter((p) => p.state === 'Z').length, { timeout: 30_000 }).toBe(3);
      await expect.poll(() => zombiesSeen(url), { timeout: 30_000 }).toBe(3); // and the observer has sampled them
      const run = descendantsOf(proc.pid!);
      expect(run.map((p) => p.pid)).toContain(master);
      // Ctrl+C: the terminal signals the whole foreground process group.
      process.kill(-proc.pid!, 'SIGINT');
      const [code] = await exited;
      expect(code).toBe(0);
      for (const p of run) expect(readStat(p.pid)).toBeNull();
      // Ctrl+C's one line, after whatever the start printed.
      expect(err.trim().split('\n').at(-1)).toMatch(new RegExp(`^forkscope web: stopped the server on 127\\.0\\.0\\.1:\\d+ \\(master ${master}, fork model\\) and its 3 zombies — nothing of it is left running$`));
    } finally {
      for (const g of [proc.pid!, ...descendantsOf(proc.pid!).map((p) => p.pgrp)]) {
        try {
          process.kill(-g, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  });
});

