// The app end to end, in browser mode against the real server: headless Chromium drives the UI
// of `forkscope web`; what the page shows is checked against what the kernel says (/proc).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readStat, zombieChildrenOf } from '../helpers/proc';
import { failShot, openSession, screenshot, type Session, type WebRun } from './harness';

const UI_TIMEOUT = 30_000;

let session: Session;
let web: WebRun;
let page: Page;

beforeAll(async () => {
  session = await openSession();
  ({ web, page } = session);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failShot(page, 'app', ctx.task.name);
  // Leave the supervisor idle for the next test: stop any run through the UI.
  const stop = page.getByTestId('server-stop');
  if (await stop.isEnabled().catch(() => false)) await stop.click();
  await expect.poll(() => testid('server-start').isEnabled().catch(() => true), { timeout: UI_TIMEOUT }).toBe(true);
  await expect.poll(() => web.descendants().length, { timeout: UI_TIMEOUT }).toBe(0);
});

afterAll(async () => {
  if (session) expect(await session.close()).toEqual({ code: 0 });
});

// ── helpers: the UI's test contract (data-testid) ───────────────────────────────────────────

const testid = (id: string) => page.getByTestId(id);
const processNodes = (state?: string) => page.locator(`[data-testid="process-node"]${state ? `[data-state="${state}"]` : ''}`);
const numberIn = async (id: string) => Number.parseInt((await testid(id).textContent()) ?? '', 10);

async function openApp(): Promise<void> {
  await page.goto(web.url);
  await testid('server-start').waitFor({ timeout: UI_TIMEOUT });
}

/** Chooses the server settings in the controls and starts it; returns the master's pid. */
async function startServer(opts: { model: string; reap?: string; app?: string; backlog?: number }): Promise<number> {
  await testid('model-select').selectOption(opts.model);
  if (opts.reap) await testid('reap-policy').selectOption(opts.reap);
  await testid('app-select').selectOption(opts.app ?? 'hello');
  await testid('server-port').fill('0'); // any free port
  if (opts.backlog !== undefined) await testid('backlog-input').fill(String(opts.backlog));
  await testid('server-start').click();
  // Stop becomes enabled once start() has returned: the master is listening and its port known.
  await expect.poll(() => testid('server-stop').isEnabled(), { timeout: 60_000 }).toBe(true);
  const master = page.locator('[data-testid="process-node"][data-role="master"]');
  await master.first().waitFor({ timeout: UI_TIMEOUT });
  const pid = Number(await master.first().getAttribute('data-pid'));
  expect(readStat(pid)?.comm).toBeTruthy(); // the master is a real process
  return pid;
}

/** Fires from the client panel: clients × conns above one is a burst, 1 × 1 a single request. */
async function fire(clients: number, conns: number, path = '/hello'): Promise<void> {
  await testid('client-path').fill(path);
  await testid('burst-clients').fill(String(clients));
  await testid('burst-conns').fill(String(conns));
  await testid('client-timeout').fill('30');
  await expect.poll(() => testid('fire-button').getAttribute('data-mode')).toBe(clients * conns > 1 ? 'burst' : 'single');
  await testid('fire-button').click();
}

async function pidsOf(state: string): Promise<number[]> {
  const pids = await processNodes(state).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-pid'))));
  return pids.sort((a, b) => a - b);
}

// ── the acceptance scenarios (issue 6) ──────────────────────────────────────────────────────

describe('forkscope in the browser, against the real server', () => {
  it('shows a clear empty state before the first start', async () => {
    await openApp();
    await testid('empty-state').waitFor({ timeout: UI_TIMEOUT });
    expect(await processNodes().count()).toBe(0);
    expect(await numberIn('zombie-count')).toBe(0);
    await screenshot(page, 'empty');
  });

  it('fork without reaping: a burst of 10 leaves 10 zombies, the same 10 pids Z in /proc; loop reaps them all', async () => {
    await openApp();
    const master = await startServer({ model: 'fork', reap: 'none' });
    await fire(10, 1);

    await expect.poll(() => processNodes('zombie').count(), { timeout: UI_TIMEOUT }).toBe(10);
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(10);
    const shown = await pidsOf('zombie');
    // The kernel's word: exactly these children of the master are zombies.
    expect(zombieChildrenOf(master)).toEqual(shown);
    for (const pid of shown) expect(readStat(pid)).toMatchObject({ state: 'Z', ppid: master });
    await screenshot(page, 'zombies');

    // Lesson 8: a waitpid(-1, WNOHANG) loop. Switching the policy takes effect at the next
    // SIGCHLD, so one more request makes one; the loop then collects every zombie, old and new.
    await testid('reap-policy').selectOption('loop');
    await expect.poll(() => testid('reap-policy').inputValue()).toBe('loop');
    await fire(1, 1);
    await expect.poll(() => processNodes('zombie').count(), { timeout: UI_TIMEOUT }).toBe(0);
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(0);
    expect(zombieChildrenOf(master)).toEqual([]);
    for (const pid of shown) expect(readStat(pid)).toBeNull();
    await screenshot(page, 'reaped');
  });

  it('iterative, slow app, backlog 2: a burst of 6 fills the accept queue, which then drains to 0', async () => {
    await openApp();
    await startServer({ model: 'iterative', app: 'slow', backlog: 2 });
    await fire(6, 1);
    // Watched in the page itself so a short-lived peak is not missed between polls.
    await page.waitForFunction(() => Number.parseInt(document.querySelector('[data-testid="queue-length"]')?.textContent ?? '0', 10) > 0, null, {
      timeout: UI_TIMEOUT,
      polling: 20,
    });
    await screenshot(page, 'queue');
    await expect.poll(() => numberIn('queue-length'), { timeout: 60_000, interval: 200 }).toBe(0);
    // Every client got its answer in the end (some after SYN retries).
    await testid('fire-result').waitFor({ timeout: 60_000 });
  });

  it("a single request's request line and status line appear in a transcript entry", async () => {
    await openApp();
    await startServer({ model: 'fork', reap: 'loop' });
    // A path no earlier request used, so the entry found is this request's.
    const path = `/hello?e2e=${Date.now().toString(36)}`;
    await fire(1, 1, path);
    const entry = page.locator('[data-testid="transcript-entry"]', { hasText: `GET ${path} HTTP/1.1` });
    await expect.poll(() => entry.count(), { timeout: UI_TIMEOUT }).toBe(1);
    await expect.poll(() => entry.textContent(), { timeout: UI_TIMEOUT }).toMatch(/HTTP\/1\.1 200 OK/);
    // Earlier tests' runs are in the supervisor's history, but the list shows this run only:
    // its connection #1, and nothing else (conn ids restart with every master).
    expect(await page.locator('[data-testid="transcript-entry"]').count()).toBe(1);
    expect(await entry.getAttribute('data-conn')).toBe('1');
    await testid('fire-result').waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, 'transcript');
  });

  it('stop leaves no process of the run alive', async () => {
    await openApp();
    const master = await startServer({ model: 'fork', reap: 'none', app: 'slow' });
    // Zombies and workers still busy in the slow app when Stop is pressed.
    await fire(3, 1, '/hello?ms=100');
    await expect.poll(() => processNodes('zombie').count(), { timeout: UI_TIMEOUT }).toBe(3);
    await fire(2, 1, '/hello?ms=20000');
    await expect.poll(() => web.descendants().filter((p) => p.ppid === master && p.state !== 'Z').length, { timeout: UI_TIMEOUT }).toBe(2);
    const run = web.descendants().map((p) => p.pid);
    expect(run.length).toBeGreaterThanOrEqual(6); // master, 3 zombies, 2 slow workers

    await testid('server-stop').click();
    await expect.poll(() => web.descendants().length, { timeout: UI_TIMEOUT }).toBe(0);
    for (const pid of run) expect(readStat(pid)).toBeNull();
    await expect.poll(() => processNodes().count(), { timeout: UI_TIMEOUT }).toBe(0);
  });

  it('logged no page errors (CSP violations, failed bridge calls)', () => {
    expect(session.errors).toEqual([]);
  });
});
