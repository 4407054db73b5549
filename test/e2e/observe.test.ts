// "Watch a server" end to end (issue 14): in the app (browser mode, headless Chromium), a
// learner's forking Python server without reaping is started from the observe form, the client
// panel fires 10 requests at it, and the 10 zombies the page shows are the ones /proc has.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readStat, zombieChildrenOf } from '../helpers/proc';
import { python } from '../helpers/python';
import { openSession, screenshot, type Session, type WebRun } from './harness';

const UI_TIMEOUT = 30_000;

let session: Session;
let web: WebRun;
let page: Page;

const testid = (id: string) => page.getByTestId(id);
const numberIn = async (id: string) => Number.parseInt((await testid(id).textContent()) ?? '', 10);
const zombieNodes = () => page.locator('[data-testid="process-node"][data-state="zombie"]');

describe.skipIf(process.platform !== 'linux' || !python)('Watch a server, in the app', () => {
  beforeAll(async () => {
    session = await openSession();
    ({ web, page } = session);
  });

  afterAll(async () => {
    if (session) expect(await session.close()).toEqual({ code: 0 });
  });

  it('observes fork-no-reap.py: fire 10, see 10 zombies that /proc confirms; connections with their holders; stop leaves nothing', async () => {
    await page.goto(web.url);
    await testid('observe-open').click();
    await testid('observe-command').fill(`${python} examples/fork-no-reap.py 0`);
    await testid('observe-start').click();
    await expect.poll(() => testid('observe-stop').isEnabled(), { timeout: 60_000 }).toBe(true);
    const serverNode = page.locator('[data-testid="process-node"][data-role="master"]');
    await serverNode.first().waitFor({ timeout: UI_TIMEOUT });
    const server = Number(await serverNode.first().getAttribute('data-pid'));
    expect(readStat(server)?.comm).toMatch(/python/);

    // The client panel is aimed at the watched server's port.
    await testid('client-path').fill('/');
    await testid('burst-clients').fill('10');
    await testid('burst-conns').fill('1');
    await testid('fire-button').click();

    await expect.poll(() => zombieNodes().count(), { timeout: UI_TIMEOUT }).toBe(10);
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(10);
    const shown = (await zombieNodes().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-pid'))))).sort((a, b) => a - b);
    expect(zombieChildrenOf(server)).toEqual(shown);
    for (const pid of shown) expect(readStat(pid)).toMatchObject({ state: 'Z', ppid: server });

    // Every connection has a row with its TCP state and the pids holding it.
    const rows = page.getByTestId('connection-holders');
    await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    const states = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-state'), e.getAttribute('data-holders')]));
    for (const [state, holders] of states) {
      expect(state).toMatch(/^[A-Z_0-9]+$/);
      expect(holders).toMatch(/^(\d+( \d+)*)?$/);
    }
    // The server's side of a transcript is not visible, and the panel says so.
    await testid('client-side-only').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('.side').evaluate((el) => el.scrollTo(0, 0)); // the form from its top, for the picture
    await screenshot(page, 'observe');

    await testid('observe-stop').click();
    await expect.poll(() => testid('observe-start').isEnabled(), { timeout: UI_TIMEOUT }).toBe(true);
    await expect.poll(() => web.descendants().length, { timeout: UI_TIMEOUT }).toBe(0);
    expect(readStat(server)).toBeNull();
  });

  it('logged no page errors', () => {
    expect(session.errors).toEqual([]);
  });
});
