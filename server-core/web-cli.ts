// `forkscope web`: the desktop app's supervisor behind a WebSocket bridge, for a browser.
// It lives in src-main (bundled separately as dist-core/web.mjs) so server-core stays free of it.
import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface WebRun {
  port: string;
  open: boolean;
  lang?: string;
  openFile?: string;
}

export function registerWeb(program: Command): void {
  // `--open FILE` (a recording to show) and `--no-open` (no browser) share commander's `open`
  // key; the file is taken as its option is parsed, so both can be given.
  let openFile: string | undefined;
  program
    .command('web')
    .description('open forkscope in a browser (the same app as `npm start`, on 127.0.0.1 with a token)')
    .option('--port <n>', 'port for the page and its WebSocket (0 = any free port)', '0')
    .option('--open <file>', 'show a recording (*.forkscope.jsonl) in the app, to replay it')
    .option('--no-open', 'print the address only, do not open a browser')
    .option('--lang <language>', 'the app\'s language: en or zh-CN (default: the browser\'s)')
    .on('option:open', (file: string) => {
      openFile = file;
    })
    .action(async (opts: { port: string; open?: string | false; lang?: string }) => {
      const web = join(dirname(fileURLToPath(import.meta.url)), 'web.mjs');
      const mod = (await import(pathToFileURL(web).href)) as { runWeb(o: WebRun): Promise<void> };
      // Passed as typed: runWeb checks it and names a bad value in its one-line answer.
      await mod.runWeb({ port: opts.port, open: opts.open !== false, lang: opts.lang, openFile });
    });
}
