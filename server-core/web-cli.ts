// `forkscope web`: the desktop app's supervisor behind a WebSocket bridge, for a browser.
// It lives in src-main (bundled separately as dist-core/web.mjs) so server-core stays free of it.
import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function registerWeb(program: Command): void {
  program
    .command('web')
    .description('open forkscope in a browser (the same app as `npm start`, on 127.0.0.1 with a token)')
    .option('--port <n>', 'port for the page and its WebSocket (0 = any free port)', '0')
    .option('--no-open', 'print the address only, do not open a browser')
    .option('--lang <language>', 'the app\'s language: en or zh-CN (default: the browser\'s)')
    .action(async (opts: { port: string; open: boolean; lang?: string }) => {
      const web = join(dirname(fileURLToPath(import.meta.url)), 'web.mjs');
      const mod = (await import(pathToFileURL(web).href)) as { runWeb(o: { port: string; open: boolean; lang?: string }): Promise<void> };
      // Passed as typed: runWeb checks it and names a bad value in its one-line answer.
      await mod.runWeb({ port: opts.port, open: opts.open, lang: opts.lang });
    });
}
