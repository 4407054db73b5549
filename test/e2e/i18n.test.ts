// The app in two languages: `forkscope web --lang zh-CN` opens it in Simplified Chinese, the
// language menu switches at once without a reload and is remembered, and no English word is
// left on screen in Chinese outside technical tokens (SIGCHLD, accept(), HTTP lines, code).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { runCli } from '../helpers/server';
import { openSession, screenshot, type Session, type WebRun } from './harness';

const UI_TIMEOUT = 30_000;
let session: Session;
let web: WebRun;
let page: Page;

beforeAll(async () => {
  session = await openSession(['--lang', 'zh-CN']);
  ({ web, page } = session);
});

afterAll(async () => {
  if (!session) return;
  expect(await session.close()).toEqual({ code: 0 });
  expect(session.errors).toEqual([]);
});

const testid = (id: string) => page.getByTestId(id);

/**
 * English words on screen outside what is technical by its look (monospace, code, event
 * names, inputs) or by name (a small list of tokens the catalogs keep as they are; "web server"
 * is the Chinese tutorial's own term).
 */
async function englishWords(): Promise<string[]> {
  const TOKENS = new Set(
    'SIGCHLD SIGKILL SIGTERM SIGINT SIGHUP SIGSTOP SIGCONT SIGUSR waitpid wait WNOHANG EMFILE EAGAIN EINTR TCP_INFO TCP accept recv send sendall close listen bind socket poll fork exec posix_spawn forkscope proc HTTP GET POST OK RSS Backlog backlog Keep alive none loop WSGI environ start_response Fetch Request Response Node req res Hono Express inetd CGI Apache prefork gunicorn sync worker workers nofile RLIMIT_NOFILE Python SYN ACK FIN EOF kill app hello slow echo stream crash default module callable mjs curl pid ppid kB MB req wsgi errors input Date Server SO_REUSEADDR getsockopt path to English Ctrl Enter web server HAR PNG'.split(' '),
  );
  return page.evaluate((tokens) => {
    const out = new Set<string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('.mono, code, pre, .etype, option, select, input, textarea, .lang, .code, .src, [data-testid="timeline-row"] .src')) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      if (getComputedStyle(el).fontFamily.includes('monospace')) continue;
      for (const w of (n.textContent ?? '').match(/[A-Za-z][A-Za-z_]{2,}/g) ?? []) if (!tokens.includes(w)) out.add(`${w} (in <${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">)`);
    }
    return [...out];
  }, [...TOKENS]);
}

describe('languages', () => {
  it('--lang zh-CN: the page is in Chinese, with no English words outside technical tokens', async () => {
    await page.goto(`${web.url}&port=0`);
    await testid('server-start').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await testid('server-start').textContent()).toContain('启动');
    // A run with workers, zombies and transcripts, as a learner would see it.
    await testid('model-select').selectOption('fork');
    await testid('reap-policy').selectOption('none');
    await testid('server-start').click();
    await expect.poll(() => testid('server-stop').isEnabled(), { timeout: 60_000 }).toBe(true);
    await testid('burst-clients').fill('5');
    await testid('fire-button').click();
    await expect.poll(async () => Number(await testid('zombie-count').textContent()), { timeout: UI_TIMEOUT }).toBe(5);
    await testid('fire-result').waitFor({ timeout: UI_TIMEOUT });
    expect(await englishWords()).toEqual([]);
    // The side column as a learner leaves it, scrolled to its top (clicks scroll it).
    await page.evaluate(() => document.querySelector('.side')?.scrollTo(0, 0));
    await screenshot(page, 'zh-CN');

    // An open lesson, in Chinese too.
    await testid('lessons-open').click();
    await page.locator('[data-testid="lesson-item"][data-lesson="zombies"]').click();
    await testid('lesson-step').waitFor({ timeout: 60_000 });
    expect(await englishWords()).toEqual([]);
    await testid('controls-open').click();
    await testid('server-stop').click();
  });

  it('switches at once without a reload, and keeps the choice', async () => {
    await page.goto(web.url.replace(/&lang=[\w-]+/, ''));
    await testid('lang-select').waitFor({ timeout: UI_TIMEOUT });
    const marker = await page.evaluate(() => ((window as unknown as { __mark: number }).__mark = Math.random()));
    await testid('lang-select').selectOption('en');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await testid('server-start').textContent()).toContain('Start');
    // The same page (no reload), with every panel redrawn.
    expect(await page.evaluate(() => (window as unknown as { __mark: number }).__mark)).toBe(marker);
    await testid('lang-select').selectOption('zh-CN');
    await expect.poll(() => testid('server-start').textContent()).toContain('启动');
    await page.reload();
    await testid('server-start').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
  });

  it('an unknown --lang gets one line naming the languages there are, exit 2', async () => {
    const r = await runCli(['web', '--lang', 'xx', '--no-open']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/unknown language 'xx' .* en \(English\), zh-CN \(简体中文\)/)]);
  });
});
