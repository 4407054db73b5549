// Issue 13, in the browser against the real server: record a fork run with reaping off, save it,
// open it again and move through it. Every number the replay shows at its cursor is held against
// what the saved file says the kernel reported at that point (its `proc` events).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Download, Page } from 'playwright-core';
import type { Har } from 'har-format';
import type { ForkscopeEvent } from '../../server-core/events';
import { harErrors } from '../helpers/har';
import { openSession, screenshot, startWeb, type Session, type WebRun } from './harness';

const UI_TIMEOUT = 30_000;
const dir = mkdtempSync(join(tmpdir(), 'forkscope-e2e-replay-'));

let session: Session;
let web: WebRun;
let page: Page;

beforeAll(async () => {
  session = await openSession();
  ({ web, page } = session);
});

afterAll(async () => {
  if (session) expect(await session.close()).toEqual({ code: 0 });
  rmSync(dir, { recursive: true, force: true });
});

const testid = (id: string) => page.getByTestId(id);
const numberIn = async (id: string) => Number.parseInt((await testid(id).textContent()) ?? '', 10);
const cursor = async () => Number(await testid('replay-bar').getAttribute('data-index'));

async function fire(clients: number): Promise<void> {
  await testid('client-path').fill('/hello');
  await testid('burst-clients').fill(String(clients));
  await testid('burst-conns').fill('1');
  await testid('client-timeout').fill('30');
  await expect.poll(() => testid('fire-button').getAttribute('data-mode')).toBe(clients > 1 ? 'burst' : 'single');
  await testid('fire-button').click();
}

async function saved(download: Promise<Download>, name: string): Promise<string> {
  const d = await download;
  const path = join(dir, name);
  copyFileSync((await d.path())!, path);
  return path;
}

/** The kernel's zombie count after the first `index` events of a recording: its last `proc` event's. */
function zombiesAfter(events: ForkscopeEvent[], index: number): number {
  for (let i = index - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'proc') return e.zombies;
    if (e.type === 'master-start') return 0;
  }
  return 0;
}

/**
 * The browser keeps a range input's value in its shortest form and within min–max: give it one
 * (whole µs, rounded down, are plenty). The very end is reached with the End key, as a person would.
 */
async function setScrubber(ms: number): Promise<void> {
  await testid('replay-scrubber').fill(String(Math.floor(ms * 1000) / 1000));
}

describe('record, save, open, replay (issue 13)', () => {
  let file = '';
  let events: ForkscopeEvent[] = [];

  it('a fork run with reaping off: one request reaped by hand, then a burst of 10 left as zombies; saved', async () => {
    await page.goto(web.url);
    await testid('model-select').selectOption('fork');
    await testid('reap-policy').selectOption('none');
    await testid('app-select').selectOption('hello');
    await testid('server-port').fill('0');
    await testid('server-start').click();
    await expect.poll(() => testid('server-stop').isEnabled(), { timeout: 60_000 }).toBe(true);

    await fire(1);
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(1);
    await testid('reap-now').click();
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(0);
    await fire(10);
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(10);

    // Save: the dialog says what a recording holds before anything leaves the app.
    await testid('record-save').click();
    await expect(testid('save-dialog').textContent()).resolves.toMatch(/passwords, cookies or tokens/);
    const download = page.waitForEvent('download');
    await testid('record-save-confirm').click();
    file = await saved(download, 'run.forkscope.jsonl');
    await expect.poll(() => readFileSync(file, 'utf8').length, { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'forkscope-recording', recorder: 'app', settings: { model: 'fork', reap: 'none' } });
    events = lines.slice(1).map((l) => JSON.parse(l) as ForkscopeEvent);
    expect(events.filter((e) => e.type === 'reap')).toHaveLength(1);
    await testid('record-saved').waitFor({ timeout: UI_TIMEOUT });
  });

  it('opened again: the end shows 10 zombies, before the burst 0; stepping back across the reap the counts follow', async () => {
    // Open through the button's file chooser.
    const chooser = page.waitForEvent('filechooser');
    await testid('record-open').click();
    await (await chooser).setFiles(file);
    await testid('replay-bar').waitFor({ timeout: UI_TIMEOUT });
    expect(await testid('replay-bar').getAttribute('data-count')).toBe(String(events.length));

    // The live controls are off, and say so.
    await testid('replay-off').waitFor();
    expect(await testid('server-stop').isDisabled()).toBe(true);
    expect(await testid('fire-button').isDisabled()).toBe(true);

    // The end of the run.
    const max = Number(await testid('replay-scrubber').getAttribute('max'));
    await testid('replay-scrubber').press('Home');
    await expect.poll(() => cursor(), { timeout: UI_TIMEOUT }).toBe(0);
    await testid('replay-scrubber').press('End');
    await expect.poll(() => cursor(), { timeout: UI_TIMEOUT }).toBe(events.length);
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(10);
    expect(Number.parseFloat((await testid('replay-time').textContent()) ?? '')).toBeCloseTo(max, 0);
    await page.locator('.side').evaluate((el) => (el.scrollTop = 0));
    await screenshot(page, 'replay');

    // Just before the burst: the burst's first client connect (after the reap).
    const reapAt = events.findIndex((e) => e.type === 'reap');
    const burstAt = events.findIndex((e, i) => i > reapAt && e.type === 'client-connect');
    await setScrubber((events[burstAt - 1].t + events[burstAt].t) / 2);
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(0);
    expect(await cursor()).toBe(burstAt);

    expect(await numberIn('reaped-count')).toBe(1);

    // Backwards one event at a time, past the reap: at every step the zombie count is the
    // kernel's at that point, and the reaped count drops to 0 exactly when the reap is undone.
    const seen: number[] = [];
    while ((await cursor()) > reapAt - 2) {
      await testid('replay-step-back').click();
      const at = await cursor();
      await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(zombiesAfter(events, at));
      await expect.poll(() => numberIn('reaped-count'), { timeout: UI_TIMEOUT }).toBe(at > reapAt ? 1 : 0);
      seen.push(await numberIn('zombie-count'));
    }
    // Before the reap the request's worker was a zombie (0 just before the burst, checked above).
    expect(seen).toContain(1);
    // And forwards again, one event.
    const before = await cursor();
    await testid('replay-step-forward').click();
    expect(await cursor()).toBe(before + 1);
  });

  it('markers jump to the moments that matter; play runs the cursor on', async () => {
    const zombie = page.locator('[data-testid="replay-marker"][data-kind="zombie"]');
    expect(await zombie.count()).toBe(1);
    await zombie.click();
    const first = events.findIndex((e) => e.type === 'proc' && e.zombies > 0);
    await expect.poll(() => cursor(), { timeout: UI_TIMEOUT }).toBe(first + 1);
    expect(await numberIn('zombie-count')).toBe(1);
    await testid('replay-speed').selectOption('8');
    const from = await cursor();
    await testid('replay-play').click();
    await expect.poll(() => cursor(), { timeout: UI_TIMEOUT }).toBeGreaterThan(from);
    await testid('replay-play').click(); // pause
  });

  it('the charts as a PNG picture', async () => {
    const download = page.waitForEvent('download');
    await testid('charts-png').click();
    const png = readFileSync(await saved(download, 'charts.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(5_000);
  });

  it('export HAR: valid HAR 1.2 with every request of the recording', async () => {
    const download = page.waitForEvent('download');
    await testid('export-har').click();
    const path = await saved(download, 'run.har');
    const har = JSON.parse(readFileSync(path, 'utf8')) as Har;
    expect(harErrors(har)).toEqual([]);
    expect(har.log.entries).toHaveLength(11);
    expect(har.log.entries.every((e) => e.response.status === 200)).toBe(true);
  });

  it('back to live: the running server again, its controls on', async () => {
    await testid('replay-live').click();
    await expect.poll(() => testid('replay-bar').count(), { timeout: UI_TIMEOUT }).toBe(0);
    await expect.poll(() => testid('server-stop').isEnabled(), { timeout: UI_TIMEOUT }).toBe(true);
    await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(10);
    await testid('server-stop').click();
    await expect.poll(() => web.descendants().length, { timeout: UI_TIMEOUT }).toBe(0);
  });

  it('a damaged file dropped on the window opens up to the broken line and says so; a file that is no recording is refused', async () => {
    const text = readFileSync(file, 'utf8');
    const cut = text.slice(0, Math.floor(text.length * 0.7));
    // Dropped onto the window, as a person drags a file from their file manager.
    const dataTransfer = await page.evaluateHandle((content) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], 'cut.forkscope.jsonl', { type: 'application/x-ndjson' }));
      return dt;
    }, cut);
    await page.dispatchEvent('main', 'dragover', { dataTransfer });
    await page.dispatchEvent('main', 'drop', { dataTransfer });
    await testid('replay-damage').waitFor({ timeout: UI_TIMEOUT });
    expect(await testid('replay-damage').textContent()).toMatch(/ends in the middle of line \d+/);
    await testid('replay-live').click();

    const foreign = join(dir, 'notes.txt');
    writeFileSync(foreign, 'GET / HTTP/1.1\r\n\r\n');
    await testid('record-open-input').setInputFiles(foreign);
    await testid('record-refusal').waitFor({ timeout: UI_TIMEOUT });
    expect(await testid('record-refusal').textContent()).toMatch(/notes\.txt is not a forkscope recording/);
    expect(await testid('replay-bar').count()).toBe(0);
  });

  it('logged no page errors', () => {
    expect(session.errors).toEqual([]);
  });
});

describe('forkscope web --open FILE', () => {
  it('shows the recording as the page opens', async () => {
    const other = await startWeb(60_000, ['--open', join(dir, 'run.forkscope.jsonl')]);
    try {
      await page.goto(other.url);
      await testid('replay-bar').waitFor({ timeout: UI_TIMEOUT });
      await expect.poll(() => numberIn('zombie-count'), { timeout: UI_TIMEOUT }).toBe(10);
    } finally {
      await other.stop();
      other.kill();
    }
  });
});
