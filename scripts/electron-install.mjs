// Fetches Electron's binary for `npm start` when the npm package came without it (it is a separate
// download that some installs skip or cannot make). It runs Electron's own installer
// (node_modules/electron/install.js, which checks the download against the package's checksums
// and unpacks it), shows how far the download has got, and gives up after a time limit or when
// the download stalls — so `npm start` always comes up, in the desktop window or the browser.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STRINGS = {
  downloading: (version, mb, s) => `forkscope: downloading Electron ${version}… ${mb.toFixed(1)} MB in ${s} s`,
  unpacking: (version) => `forkscope: unpacking Electron ${version}…`,
  installed: (version, mb, s) => `forkscope: Electron ${version} is installed (${mb.toFixed(1)} MB in ${s} s)`,
  failed: (why) => `the download failed: ${why}`,
  timedOut: (s) => `the download did not finish within ${s} s`,
  stalled: (s) => `the download made no progress for ${s} s`,
  interrupted: 'forkscope: stopped the Electron download',
};

/** Every byte under `dir` (the installer's temporary download folder). */
function bytesUnder(dir) {
  let n = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    try {
      n += e.isDirectory() ? bytesUnder(p) : statSync(p).size;
    } catch {
      /* moved or removed meanwhile */
    }
  }
  return n;
}

/** The installer's last words worth showing: its error's first line. */
function reasonIn(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? 'no reason given';
}

/**
 * Runs `<pkgDir>/install.js` under the current node. Resolves with `{ ok: true }`, or
 * `{ ok: false, why, interrupted? }` in plain words (`interrupted`: a signal stopped it). `say(text)` gets progress: whole lines, or on a terminal
 * (`tty`) a line rewritten in place. Never rejects.
 */
export function installElectron({ pkgDir, timeoutMs = 180_000, stallMs = 30_000, tickMs = 500, say = () => {}, tty = false, env = process.env }) {
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  // The installer downloads into a fresh folder under TMPDIR: give it one we can watch.
  const tmp = mkdtempSync(join(tmpdir(), 'forkscope-electron-'));
  const child = spawn(process.execPath, [join(pkgDir, 'install.js')], {
    cwd: pkgDir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...env, TMPDIR: tmp, ELECTRON_GET_NO_PROGRESS: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  const started = Date.now();
  let lastBytes = 0;
  let peak = 0;
  let unpacking = false;
  let lastGrowth = started;
  let lastLine = 0;
  let shown = false;
  let giveUp = null;

  const show = (text, final = false) => {
    if (tty) say(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else say(`${text}\n`);
    shown = true;
  };

  const timer = setInterval(() => {
    const now = Date.now();
    const bytes = bytesUnder(tmp);
    if (bytes > lastBytes) lastGrowth = now;
    lastBytes = bytes;
    peak = Math.max(peak, bytes);
    if (bytes === 0 && peak > 0 && !unpacking) {
      // The download was checked and moved to Electron's cache; the installer unpacks it now.
      unpacking = true;
      lastGrowth = now;
      show(STRINGS.unpacking(version));
    }
    // On a terminal every tick; otherwise a line every 5 s, so a log is not flooded.
    if (bytes > 0 && (tty || now - lastLine >= 5000)) {
      show(STRINGS.downloading(version, bytes / 1e6, Math.round((now - started) / 1000)));
      lastLine = now;
    }
    if (now - started > timeoutMs) giveUp = STRINGS.timedOut(Math.round(timeoutMs / 1000));
    else if (now - lastGrowth > stallMs) giveUp = STRINGS.stalled(Math.round(stallMs / 1000));
    if (giveUp) child.kill('SIGKILL');
  }, tickMs);

  // Ctrl+C (or a kill) meanwhile ends the download too, and nothing of it is left behind.
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    child.kill('SIGKILL');
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);

  return new Promise((resolve) => {
    const finish = (result) => {
      clearInterval(timer);
      for (const sig of signals) process.off(sig, onSignal);
      if (shown && tty && !result.ok) say('\r\x1b[2K');
      rmSync(tmp, { recursive: true, force: true });
      resolve(result);
    };
    child.on('error', (err) => finish({ ok: false, why: STRINGS.failed(err.message) }));
    child.on('exit', (code) => {
      if (interrupted) return finish({ ok: false, interrupted: true, why: STRINGS.interrupted });
      if (giveUp) return finish({ ok: false, why: giveUp });
      if (code !== 0) return finish({ ok: false, why: STRINGS.failed(reasonIn(stderr)) });
      if (peak > 0) show(STRINGS.installed(version, peak / 1e6, Math.round((Date.now() - started) / 1000)), true);
      finish({ ok: true });
    });
  });
}
