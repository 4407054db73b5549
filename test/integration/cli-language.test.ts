// The command line follows the user's language: LANG=zh_CN.UTF-8 gives the human log of
// `forkscope serve` in Chinese (LC_ALL before LC_MESSAGES before LANG), while --json is the same
// in every language.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { cliLanguage } from '../../server-core/i18n/cli';
import { cli, root } from '../helpers/server';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** `serve ARGS…` in the language of `env`; returns its stdout once a request was served and it stopped. */
async function serveOnce(env: NodeJS.ProcessEnv, args: string[] = []): Promise<string> {
  const proc = spawn(process.execPath, [cli, 'serve', 'hello', '--model', 'iterative', '--port', '0', ...args], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: '', ...env },
  });
  started.push(proc.pid!);
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = once(proc, 'close');
  const portIn = (): string | undefined => (/127\.0\.0\.1:(\d+)/.exec(out) ?? /"type":"listening".*?"port":(\d+)/.exec(out))?.[1];
  await expect.poll(portIn, { timeout: 15_000 }).toBeTruthy();
  const port = portIn();
  expect((await fetch(`http://127.0.0.1:${port}/hello`)).status).toBe(200);
  await expect.poll(() => out, { timeout: 10_000 }).toMatch(/#1 (closed|已关闭)|"type":"close"/);
  process.kill(-proc.pid!, 'SIGTERM');
  await exited;
  return out;
}

describe('the CLI in the user’s language', () => {
  it('picks LC_ALL, then LC_MESSAGES, then LANG; C and unset are English', () => {
    expect(cliLanguage({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(cliLanguage({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(cliLanguage({ LC_MESSAGES: 'zh_TW.UTF-8', LANG: 'C' })).toBe('zh-CN');
    expect(cliLanguage({ LANG: 'C' })).toBe('en');
    expect(cliLanguage({})).toBe('en');
  });

  it('LANG=zh_CN.UTF-8 forkscope serve hello: the human log is in Chinese', async () => {
    const out = await serveOnce({ LANG: 'zh_CN.UTF-8' });
    expect(out).toMatch(/在 http:\/\/127\.0\.0\.1:\d+ 上提供 HTTP 服务/);
    expect(out).toMatch(/#1 已 accept，来自 127\.0\.0\.1:\d+/);
    expect(out).toMatch(/#1 已关闭/);
    expect(out).toMatch(/已停止（退出码 0）/);
    // The request and response lines are HTTP, the same in every language.
    expect(out).toContain('< GET /hello HTTP/1.1');
    expect(out).toContain('> HTTP/1.1 200 OK');
  });

  it('--json is the same in every language', async () => {
    const shape = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; message?: string })
        .filter((e) => e.type !== 'transcript' && e.type !== 'queue')
        .map((e) => `${e.type}:${e.message ?? ''}`.replace(/\d+/g, 'N'));
    const zh = await serveOnce({ LANG: 'zh_CN.UTF-8' }, ['--json']);
    const en = await serveOnce({ LANG: 'C' }, ['--json']);
    expect(zh).not.toMatch(/[\u4e00-\u9fff]/);
    expect(shape(zh)).toEqual(shape(en));
  });
});
