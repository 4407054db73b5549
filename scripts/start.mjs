#!/usr/bin/env node
// `npm start [-- --web] [-- --port N] [-- --no-open] [-- --lang zh-CN] [-- --open FILE]`: builds forkscope (the server
// bundles and the electron-vite app) and launches the desktop app. Electron's binary is downloaded
// separately from its npm package: where it is missing, Electron's own installer is run first
// (with its progress shown, bounded in time: electron-install.mjs); where that fails too (some
// machines cannot reach the download), it says why in one line and runs the same app in the
// browser instead (`forkscope web`).
// Ctrl+C stops everything: the app shuts its supervisor down, which stops every server process.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuilt } from './build-core.mjs';
import { installElectron } from './electron-install.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Electron's download (~100 MB) gets this long in all, and may pause this long at most. */
const INSTALL_TIMEOUT_MS = 300_000;
const INSTALL_STALL_MS = 20_000;

const STRINGS = {
  usage: 'usage: npm start [-- --web] [-- --port N] [-- --no-open] [-- --lang en|zh-CN] [-- --open FILE]',
  cannotOpen: (file, why) => `forkscope: cannot open the recording ${file}: ${why} — give the path of a *.forkscope.jsonl file`,
  fetching: "forkscope: Electron's binary is missing (node_modules/electron/dist): fetching it with Electron's installer (`npm start -- --web` skips this)",
  noElectron: (why) =>
    `forkscope: no Electron binary here (${why}; \`npx install-electron\` tries again, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron) — opening forkscope in the browser instead`,
  buildFailed: (why) => `forkscope: build failed: ${why}`,
};

function parseArgs(argv) {
  const opts = { web: false, port: 0, open: true, lang: undefined, openFile: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--web') opts.web = true;
    else if (a === '--no-open') opts.open = false;
    else if (a === '--port' && /^\d+$/.test(argv[i + 1] ?? '') && Number(argv[i + 1]) <= 65535) opts.port = Number(argv[++i]);
    else if (a === '--lang' && argv[i + 1]) opts.lang = argv[++i];
    else if (a.startsWith('--lang=')) opts.lang = a.slice('--lang='.length);
    else if (a === '--open' && argv[i + 1]) opts.openFile = resolve(argv[++i]);
    else if (a.startsWith('--open=')) opts.openFile = resolve(a.slice('--open='.length));
    else {
      process.stderr.write(`${STRINGS.usage}\n`);
      process.exit(2);
    }
  }
  return opts;
}

/** The Electron executable the npm package would run, if it has been downloaded. */
function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override ? join(override, rel || 'electron') : rel ? join(pkg, 'dist', rel) : null;
  return bin && existsSync(bin) ? bin : null;
}

function launchElectron(bin, lang, openFile) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // set by some shells; it would make the app start as plain node
  const args = [root, ...(lang ? [`--lang=${lang}`] : []), ...(openFile ? [`--open=${openFile}`] : [])];
  const child = spawn(bin, args, { cwd: root, stdio: 'inherit', env });
  // Ctrl+C reaches Electron too (same process group); pass on what we get from elsewhere and
  // wait for the app's own shutdown, which stops the server's process group.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const opts = parseArgs(process.argv.slice(2));
if (opts.openFile) {
  try {
    accessSync(opts.openFile, constants.R_OK);
  } catch (err) {
    process.stderr.write(`${STRINGS.cannotOpen(opts.openFile, err.code ?? String(err))}\n`);
    process.exit(2);
  }
}
let web;
try {
  web = await import(pathToFileURL((await ensureBuilt()).web).href);
  await web.ensureRenderer(root, (text) => process.stderr.write(text));
} catch (err) {
  process.stderr.write(`${STRINGS.buildFailed(err instanceof Error ? err.message : String(err))}\n`);
  process.exit(1);
}
if (opts.lang != null && !web.isLanguage(opts.lang)) {
  process.stderr.write(`forkscope: ${web.unknownLanguage(opts.lang)}\n`);
  process.exit(2);
}

/** Electron's binary, fetched first when it is missing; null (having said why) when it cannot be. */
async function electronOrWhy() {
  const found = electronBinary();
  if (found) return found;
  process.stderr.write(`${STRINGS.fetching}\n`);
  const result = await installElectron({
    pkgDir: join(root, 'node_modules', 'electron'),
    timeoutMs: INSTALL_TIMEOUT_MS,
    stallMs: INSTALL_STALL_MS,
    say: (text) => process.stderr.write(text),
    tty: process.stderr.isTTY === true,
  });
  if (result.interrupted) {
    process.stderr.write(`${result.why}\n`);
    process.exit(130);
  }
  const bin = result.ok ? electronBinary() : null;
  if (!bin) process.stderr.write(`${STRINGS.noElectron(result.ok ? 'the installer left no binary' : result.why)}\n`);
  return bin;
}

const bin = opts.web ? null : await electronOrWhy();
if (bin) launchElectron(bin, opts.lang, opts.openFile);
else await web.runWeb({ port: opts.port, open: opts.open, lang: opts.lang, openFile: opts.openFile });
