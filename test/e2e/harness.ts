// End-to-end harness: the real `forkscope web` (supervisor, master, workers) in its own process
// group, driven by Debian's headless Chromium through playwright-core. Everything started here is
// stopped by process group at the end, and the kernel (/proc) is asked what is still alive.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { allPids, readStat, type ProcStat } from '../helpers/proc';
import { cli, root } from '../helpers/server';
import { ensureRenderer } from '../../src-main/web/renderer-build';

export { root };
export const CHROMIUM = process.env.FORKSCOPE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = process.env.FORKSCOPE_SCREENSHOTS === '1';

/** Builds out/renderer if it is missing or stale (the build test forces one). */
export async function ensureApp(): Promise<void> {
  await ensureRenderer(root);
}

export interface WebRun {
  proc: ChildProcess;
  pid: number;
  port: number;
  /** http://127.0.0.1:PORT/?token=… */
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Every process below the web process right now, as /proc says. */
  descendants(): ProcStat[];
  /** SIGTERM and wait (the supervisor's shutdown); SIGKILL whatever is left. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the web process group and to every process group seen below it. */
  kill(): void;
}

/** Every process whose parent chain reaches `pid`. */
export function descendantsOf(pid: number): ProcStat[] {
  const stats = allPids()
    .map((p) => readStat(p))
    .filter((s): s is ProcStat => s !== null);
  const out: ProcStat[] = [];
  let frontier = new Set([pid]);
  while (frontier.size) {
    const next = new Set<number>();
    for (const s of stats) if (frontier.has(s.ppid)) (out.push(s), next.add(s.pid));
    frontier = next;
  }
  return out;
}

export async function startWeb(timeoutMs = 60_000, args: string[] = []): Promise<WebRun> {
  const proc = spawn(process.execPath, [cli, 'web', '--port', '0', '--no-open', ...args], {
    cwd: root,
    detached: true, // own process group; the master gets its own group from the supervisor
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let out = '';
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const groups = new Set<number>([proc.pid!]);
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`forkscope web printed no address in ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /^forkscope web: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+(?:&lang=[\w-]+)?)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`forkscope web exited with ${code} before printing its address; stderr:\n${err}`));
    });
  });
  const run: WebRun = {
    proc,
    pid: proc.pid!,
    port: Number(new URL(url).port),
    url,
    stdout: () => out,
    stderr: () => err,
    descendants() {
      const ds = descendantsOf(proc.pid!);
      for (const d of ds) groups.add(d.pgrp);
      return ds;
    },
    async stop(timeoutMs = 20_000) {
      run.descendants();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => run.kill(), timeoutMs);
      const [code, signal] = await exited;
      clearTimeout(timer);
      return { code, signal };
    },
    kill() {
      run.descendants();
      for (const g of groups) {
        try {
          process.kill(-g, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    },
  };
  return run;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile directory, removed again on close. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'forkscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves docs/screenshots/NAME.png when FORKSCOPE_SCREENSHOTS=1 (kept out of normal runs). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  const dir = join(root, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  // The charts, the tree and the lists redraw at most every 100 ms: let them catch up with
  // the numbers the test just saw.
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** The real `forkscope web` with a headless Chromium page on it, as every e2e file uses them. */
export interface Session {
  web: WebRun;
  browser: Browser;
  page: Page;
  /** Page errors and console errors (a CSP violation or a failed bridge call shows here first). */
  errors: string[];
  /** Closes the browser, stops the web process (SIGTERM, then SIGKILL) and says how it exited. */
  close(): Promise<{ code: number | null }>;
}

export async function openSession(webArgs: string[] = []): Promise<Session> {
  await ensureApp();
  const web = await startWeb(60_000, webArgs);
  const browser = await openBrowser();
  const page = browser.page;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return {
    web,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      const { code } = await web.stop();
      web.kill();
      return { code };
    },
  };
}

/** After a failed test: a screenshot of the page in /tmp, named for the test. */
export async function failShot(page: Page, file: string, name: string): Promise<void> {
  await page.screenshot({ path: `/tmp/forkscope-e2e-${file}-fail-${name.slice(0, 24).replace(/\W+/g, '-')}.png` }).catch(() => {});
}
