// What a learner trips over, end to end in Chromium against the real `forkscope web`: pages that
// join late, the details drawer (a reaped process, descriptors, kill the master only), refusals
// said where they were clicked, and menus that close as menus do. Checked against /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readStat } from '../helpers/proc';
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
  if (ctx.task.result?.state === 'fail') await failShot(page, 'ux', ctx.task.name);
  const stop = page.getByTestId('server-stop');
  if (await stop.isEnabled().catch(() => false)) await stop.click();
  await expect.poll(() => web.descendants().length, { timeout: UI_TIMEOUT }).toBe(0);
});

afterAll(async () => {
  if (!session) return;
  expect(await session.close()).toEqual({ code: 0 });
  expect(session.errors).toEqual([]);
});

const on = (p: Page) => ({
  testid: (id: string) => p.getByTestId(id),
  node: (role: string) => p.locator(`[data-testid="process-node"][data-role="${role}"]`),
});
const testid = (id: string) => page.getByTestId(id);
const node = (role: string) => on(page).node(role);

/** Every process node a page draws: "pid role state", sorted (running and sleeping both "alive": they flicker). */
async function drawn(p: Page): Promise<string[]> {
  const out = await p
    .locator('[data-testid^="process-node"]')
    .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-pid')} ${e.getAttribute('data-role')} ${e.getAttribute('data-state')?.replace(/^(running|sleeping)$/, 'alive')}`));
  return out.sort();
}

interface Start {
  model: string;
  reap?: string;
  app?: string;
  parentKeepsConn?: boolean;
  childKeepsListener?: boolean;
  nofile?: number;
}

/** Chooses the settings in the controls and starts; returns the master's pid. */
async function startServer(p: Page, o: Start): Promise<number> {
  const t = on(p).testid;
  await t('model-select').selectOption(o.model);
  if (o.reap) await t('reap-policy').selectOption(o.reap);
  await t('app-select').selectOption(o.app ?? 'hello');
  await t('server-port').fill('0');
  if (o.parentKeepsConn || o.childKeepsListener || o.nofile) {
    // The descriptor lessons fold away while unset.
    const more = p.locator('details.more-fields:has([data-testid="parent-keeps-conn"])');
    if (!(await more.evaluate((d) => (d as HTMLDetailsElement).open))) await more.locator('summary').click();
    if (o.parentKeepsConn) await t('parent-keeps-conn').check();
    if (o.childKeepsListener) await t('child-keeps-listener').check();
    if (o.nofile) await t('nofile-input').fill(String(o.nofile));
  }
  await t('server-start').click();
  await expect.poll(() => t('server-stop').isEnabled(), { timeout: 60_000 }).toBe(true);
  const master = on(p).node('master').first();
  await master.waitFor({ timeout: UI_TIMEOUT });
  return Number(await master.getAttribute('data-pid'));
}

async function fire(p: Page, path: string): Promise<void> {
  const t = on(p).testid;
  await t('client-path').fill(path);
  await t('burst-clients').fill('1');
  await t('burst-conns').fill('1');
  await t('client-timeout').fill('60');
  await t('fire-button').click();
}

async function openApp(p: Page): Promise<void> {
  await p.goto(web.url);
  await p.getByTestId('server-start').waitFor({ timeout: UI_TIMEOUT });
}

describe('what a learner trips over', () => {
  it('a page opened late, a reloaded one, and one opened after Stop show what the kernel shows — and the running settings', async () => {
    await openApp(page);
    const master = await startServer(page, { model: 'fork', reap: 'loop', app: 'slow' });
    await fire(page, '/hello?ms=1200');
    await testid('fire-result').waitFor({ timeout: UI_TIMEOUT });
    // The answer counted by status class, and how long it waited in the accept queue.
    await expect.poll(() => testid('fire-answers').locator('[data-class="2xx"]').count()).toBe(1);
    await expect.poll(() => testid('fire-queue-wait').textContent()).toMatch(/Waited in the accept queue: p50 [\d.]+ m?s/);
    // The worker has been reaped and /proc sampled since.
    await expect.poll(() => drawn(page), { timeout: UI_TIMEOUT }).toEqual([`${master} master alive`, `${web.pid} supervisor alive`].sort());
    const early = await drawn(page);

    const late = await session.browser.context.newPage();
    try {
      await openApp(late);
      await on(late).node('master').first().waitFor({ timeout: UI_TIMEOUT });
      await expect.poll(() => drawn(late), { timeout: UI_TIMEOUT }).toEqual(early);
      // A reloaded page shows the running server's settings, not the defaults.
      await late.reload();
      await on(late).node('master').first().waitFor({ timeout: UI_TIMEOUT });
      await expect.poll(() => drawn(late), { timeout: UI_TIMEOUT }).toEqual(early);
      expect(await on(late).testid('app-select').inputValue()).toBe('slow');
      expect(await on(late).testid('server-port').inputValue()).toBe('0');

      await testid('server-stop').click();
      await expect.poll(() => web.descendants().length, { timeout: UI_TIMEOUT }).toBe(0);
      await openApp(late);
      await expect.poll(() => late.locator('.queue-panel').innerText(), { timeout: UI_TIMEOUT }).toMatch(/Not listening/);
      expect(await drawn(late)).toEqual([]);
      const queue = await late.locator('.queue-panel').innerText();
      expect(queue).not.toMatch(/Empty/);
    } finally {
      await late.close();
    }
  });

  it('the details drawer: descriptors against the limit, then a reaped zombie — when, how, and what it last had; Escape closes it', async () => {
    await openApp(page);
    const master = await startServer(page, { model: 'fork', reap: 'none', app: 'slow', parentKeepsConn: true, nofile: 64 });
    await fire(page, '/hello?ms=800');
    await expect.poll(() => page.locator('[data-testid="process-node"][data-state="zombie"]').count(), { timeout: UI_TIMEOUT }).toBe(1);
    const zombie = Number(await page.locator('[data-testid="process-node"][data-state="zombie"]').getAttribute('data-pid'));

    // The master's descriptors, as the kernel says: its listener and the connection it kept.
    await node('master').first().click();
    await testid('fd-count').waitFor({ timeout: UI_TIMEOUT });
    expect(await testid('fd-count').textContent()).toMatch(/^\d+ open; limit 64 \(RLIMIT_NOFILE\)$/);
    const open = Number(/^(\d+)/.exec((await testid('fd-count').textContent()) ?? '')![1]);
    expect(Math.abs(open - (readdirCount(master) ?? -99))).toBeLessThanOrEqual(1);
    await expect.poll(() => testid('fd-table').locator('li[data-kind="listener"]').textContent()).toMatch(/^1 listening socket/);
    await expect.poll(() => testid('fd-table').locator('li[data-kind="connection"]').textContent()).toMatch(/^1 connection/);
    expect(await testid('fd-room').textContent()).toMatch(/^Room for \d+ more below the limit of 64: after that, accept\(\) and open\(\) fail with EMFILE/);
    await screenshot(page, 'fds');
    // "Release kept fds" looks like a button of its own, not a full-width bar among the switches.
    const release = await testid('release-fds').boundingBox();
    const switches = await page.locator('fieldset.fd-switches').boundingBox();
    expect(release!.width).toBeLessThan(switches!.width * 0.7);
    await page.keyboard.press('Escape');
    await expect.poll(() => testid('process-details').count()).toBe(0);

    // The zombie: no descriptors; reaped from its own drawer, it says when and how.
    await page.locator(`[data-testid="process-node"][data-pid="${zombie}"]`).click();
    await expect.poll(() => testid('fd-table').textContent()).toMatch(/None: the kernel closed all of a zombie’s descriptors/);
    await testid('details-reap-now').click();
    await expect.poll(() => testid('process-details').getAttribute('data-gone'), { timeout: UI_TIMEOUT }).toBe('true');
    expect(readStat(zombie)).toBeNull();
    const facts = (await testid('reaped-facts').innerText()).replace(/\s+/g, ' ');
    expect(facts).toMatch(/reaped at \d+\.\d{3} s/);
    expect(facts).toMatch(/Exit status exited with code 0/);
    expect(facts).toMatch(/Zombie for [\d.]+ (ms|s)/);
    expect(facts).toMatch(/the master, on “Reap now”/);
    expect(facts).not.toMatch(/\(Z\)|reaped: reaped/);
    expect(await testid('last-seen').textContent()).toMatch(/Last seen alive \(at \d+\.\d{3} s\)/);
    // Nothing left to signal or reap.
    expect(await testid('send-signal').count()).toBe(0);
    expect(await testid('details-reap-now').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => testid('process-details').count()).toBe(0);
  });

  it('kill the master only: its orphan, adopted by the supervisor, still holds the listening socket', async () => {
    await openApp(page);
    const master = await startServer(page, { model: 'fork', reap: 'loop', app: 'slow', childKeepsListener: true });
    await fire(page, '/hello?ms=30000');
    await expect.poll(() => page.locator('[data-testid="process-node"][data-role="worker"][data-state="sleeping"]').count(), { timeout: UI_TIMEOUT }).toBe(1);
    const worker = Number(await node('worker').first().getAttribute('data-pid'));

    await node('master').first().click();
    await testid('kill-master-only').click();
    // The kernel's word: the master is gone, the worker's parent is now the supervisor.
    await expect.poll(() => readStat(master), { timeout: UI_TIMEOUT }).toBeNull();
    await expect.poll(() => readStat(worker)?.ppid, { timeout: UI_TIMEOUT }).toBe(web.pid);
    await expect.poll(() => page.locator(`[data-testid="process-node"][data-role="orphan"][data-pid="${worker}"]`).count(), { timeout: UI_TIMEOUT }).toBe(1);
    await page.keyboard.press('Escape');
    await page.locator(`[data-testid="process-node"][data-pid="${worker}"]`).click();
    await expect.poll(() => testid('fd-table').locator('li[data-kind="listener"]').count(), { timeout: UI_TIMEOUT }).toBe(1);
    // The client panel does not claim a connection would be refused: the port is still bound.
    expect(await testid('client-not-running').textContent()).toMatch(/orphans still hold the listening socket/);
    await screenshot(page, 'orphan');
    // Its parent is the supervisor now: the drawer can still signal it, and the supervisor reaps it.
    await testid('signal-select').selectOption('SIGKILL');
    await testid('send-signal').click();
    await expect.poll(() => readStat(worker), { timeout: UI_TIMEOUT }).toBeNull();
    await expect.poll(() => web.descendants().length, { timeout: UI_TIMEOUT }).toBe(0);
  });

  it('the everyday loop — choose, start, fire, look — fits 1440×900 without scrolling, and every step is reachable at 1280×720', async () => {
    const choose = ['model-select', 'reap-policy', 'app-select', 'server-start'];
    const fireRow = ['burst-clients', 'fire-button', 'run-state'];
    const inView = async (id: string, height: number): Promise<boolean> => {
      const box = await testid(id).boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= height;
    };
    try {
      for (const model of ['fork', 'prefork']) {
        await openApp(page);
        await testid('controls-open').click();
        await testid('model-select').selectOption(model);
        for (const id of choose) expect(await inView(id, 900), `${model}: ${id} at 1440×900`).toBe(true);
        // The reaping menu shows its choice whole ("loop — waitpid until none"), not cut.
        const whole = await testid('reap-policy').evaluate((el) => {
          const select = el as HTMLSelectElement;
          const css = getComputedStyle(select);
          const ctx = document.createElement('canvas').getContext('2d')!;
          ctx.font = `${css.fontWeight} ${css.fontSize} ${css.fontFamily}`;
          const room = select.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight) - 16; // the arrow
          return ctx.measureText(select.options[select.selectedIndex].text).width <= room;
        });
        expect(whole, `${model}: the reaping choice is shown whole`).toBe(true);
        await startServer(page, { model });
        for (const id of fireRow) expect(await inView(id, 900), `${model}, running: ${id} at 1440×900`).toBe(true);
        await testid('server-stop').click();
        await expect.poll(() => web.descendants().length, { timeout: UI_TIMEOUT }).toBe(0);
      }
      await page.setViewportSize({ width: 1280, height: 720 });
      await openApp(page);
      await testid('controls-open').click();
      for (const id of [...choose, ...fireRow]) {
        // The left column scrolls; each control of the loop can be brought into view whole.
        await testid(id).evaluate((el) => el.scrollIntoView({ block: 'center' }));
        expect(await inView(id, 720), `${id} at 1280×720`).toBe(true);
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('prefork: "connections each" says sync or asynchronous, and the master really runs with it (its /proc cmdline)', async () => {
    await openApp(page);
    await testid('model-select').selectOption('prefork');
    const input = testid('worker-connections-input');
    expect(await input.inputValue()).toBe('1');
    const why = page.locator('p.why', { hasText: /worker serves/ });
    expect(await why.textContent()).toMatch(/one connection at a time.*sync workers/);
    await input.fill('3');
    expect(await why.textContent()).toMatch(/several connections at once/);
    const master = await startServer(page, { model: 'prefork' });
    const argv = readFileSync(`/proc/${master}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(argv.indexOf('--worker-connections'), argv.indexOf('--worker-connections') + 2)).toEqual(['--worker-connections', '3']);
    expect(await input.isDisabled()).toBe(true); // settings are locked while it runs
  });

  it('a refused action says why where it was clicked; the Types menu closes on Escape and on a click outside', async () => {
    await openApp(page);
    await startServer(page, { model: 'iterative' });
    await testid('reap-now').click();
    await expect.poll(() => testid('reap-refusal').textContent()).toMatch(/iterative model has no worker processes/);
    expect(await page.locator('[data-testid="error-banner"]').count()).toBe(0);

    const menu = page.locator('details.type-filter');
    expect(await testid('hidden-types').textContent()).toMatch(/not shown: proc/);
    await testid('timeline-types').click();
    expect(await menu.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await menu.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await testid('timeline-types').click();
    expect(await menu.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    await page.locator('.tree-panel').click({ position: { x: 5, y: 5 } });
    expect(await menu.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  });
});

function readdirCount(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}
