// Issue 13: a long recording opened in the app, and seeks in it. A synthetic ten-minute
// recording at 2,000 events/s (a fork-model run with the client's and the kernel's events, as
// the app saves it) is written to a file, opened in the built renderer in headless Chromium
// through the Open button (`forkscope web`, the real bridge), then the scrubber is moved to 40
// random places, forwards and backwards. Measured: the time to open, each seek from the input
// event to the end of the frame that shows the new cursor, and the JS heap.
//   node bench/replay.mjs [--minutes 10] [--rate 2000] [--seeks 40]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { median, quantile, root, table } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MINUTES = opt('minutes', 10);
const RATE = opt('rate', 2000);
const SEEKS = opt('seeks', 40);
const CHROMIUM = process.env.FORKSCOPE_CHROMIUM ?? '/usr/bin/chromium';

const dir = mkdtempSync(join(tmpdir(), 'forkscope-bench-replay-'));
const file = join(dir, 'long.forkscope.jsonl');

/** A fork-model run as the app records it: each request ~17 events; /proc diffs 10 times a second. */
async function writeRecording() {
  const out = createWriteStream(file);
  const write = (text) => (out.write(text) ? null : once(out, 'drain'));
  const SUP = 1000;
  const MASTER = 1001;
  const config = { model: 'fork', reap: 'loop', app: 'hello', interface: 'wsgi', host: '127.0.0.1', port: 8888, backlog: 5, workers: 2, maxRequests: 0, parentKeepsConn: false, childKeepsListener: false, keepAlive: false };
  const header = { format: 'forkscope-recording', version: 1, forkscope: '0.1.0', recorder: 'app', settings: config, platform: { os: 'linux', release: 'bench', arch: 'x64', node: process.versions.node }, started: new Date().toISOString(), origin: '1', dropped: 0 };
  await write(`${JSON.stringify(header)}\n`);
  const total = MINUTES * 60 * RATE;
  const perRequest = 17;
  const gap = (1000 * perRequest) / RATE; // ms between requests
  let n = 0;
  let t = 5;
  let sig = 0;
  const line = (type, pid, source, fields) => {
    n++;
    return `${JSON.stringify({ type, ...fields, t: Math.round(t * 1000) / 1000, pid, source })}\n`;
  };
  const proc = (pid, role, state) => ({ pid, ppid: role === 'master' ? SUP : MASTER, state, start: 0, cmd: role === 'worker' ? 'node worker.cjs' : 'node forkscope serve', fds: state === 'Z' ? null : 6, rssKb: 40000, role });
  let buf = line('master-start', SUP, 'supervisor', { child: MASTER, argv: ['node', 'forkscope', 'serve'], config });
  buf += line('listening', MASTER, 'server', { host: '127.0.0.1', port: 8888, backlog: 5, model: 'fork', reap: 'loop', app: 'hello', origin: '1' });
  buf += line('proc', SUP, 'kernel', { procs: [proc(SUP, 'supervisor', 'S'), proc(MASTER, 'master', 'S')], zombies: 0, full: true });
  let nextProc = t + 100;
  let id = 0;
  const text = 'GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8888\r\nUser-Agent: forkscope-fire\r\nAccept: */*\r\nConnection: close\r\n\r\n';
  const reply = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 44\r\nDate: Sat, 05 Dec 2026 12:00:00 GMT\r\nServer: forkscope/0.1.0\r\nConnection: close\r\n\r\nHello world from a simple WSGI application!\n';
  while (n < total) {
    const conn = ++id;
    const pid = 2000 + conn;
    const port = 30000 + (conn % 30000);
    const step = (ms) => (t += ms);
    buf += line('client-connect', SUP, 'client', { id: conn, host: '127.0.0.1', port: 8888 });
    step(0.2);
    buf += line('client-connected', SUP, 'client', { id: conn, localPort: port, ms: 0.2 });
    buf += line('client-sent', SUP, 'client', { id: conn, bytes: text.length, data: text, encoding: 'utf8' });
    step(0.1);
    buf += line('accept', MASTER, 'server', { conn, peer: { address: '127.0.0.1', port }, fd: 12 });
    buf += line('fork', MASTER, 'server', { conn, child: pid, spawnMs: 0.4, role: 'connection' });
    step(2);
    buf += line('worker-ready', pid, 'server', { startMs: 2 });
    buf += line('transcript', pid, 'server', { conn, dir: 'in', data: text, encoding: 'utf8', truncated: false });
    buf += line('request', pid, 'server', { conn, method: 'GET', path: '/hello', version: 'HTTP/1.1', headers: [['Host', '127.0.0.1:8888'], ['User-Agent', 'forkscope-fire'], ['Accept', '*/*'], ['Connection', 'close']], via: 'direct' });
    buf += line('transcript', pid, 'server', { conn, dir: 'out', data: reply, encoding: 'utf8', truncated: false });
    buf += line('response', pid, 'server', { conn, status: 200, headers: [['Content-Type', 'text/plain'], ['Content-Length', '44'], ['Connection', 'close']], bytes: 44 });
    buf += line('close', pid, 'server', { conn });
    step(0.1);
    buf += line('client-first-byte', SUP, 'client', { id: conn, ms: 2.4 });
    buf += line('client-received', SUP, 'client', { id: conn, data: reply, encoding: 'utf8', truncated: false });
    buf += line('client-done', SUP, 'client', { id: conn, status: 200, bytes: 44, ms: 2.5 });
    buf += line('sigchld', MASTER, 'server', { n: ++sig });
    buf += line('exit', MASTER, 'server', { child: pid, via: 'sigchld' });
    buf += line('reap', MASTER, 'server', { child: pid, code: 0, zombieMs: 0.1, by: 'loop' });
    t += Math.max(0, gap - 2.5);
    if (t >= nextProc) {
      // A /proc diff: the last worker gone, the master's fd count moved.
      buf += line('proc', SUP, 'kernel', { procs: [proc(MASTER, 'master', 'S')], zombies: 0, full: false, gone: [pid] });
      nextProc += 100;
    }
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  out.end();
  await once(out, 'finish');
  return { events: n, seconds: t / 1000 };
}

async function startWeb() {
  const proc = spawn(process.execPath, [join(root, 'bin', 'forkscope.mjs'), 'web', '--port', '0', '--no-open'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    proc.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const m = /forkscope web: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`forkscope web exited ${code}`)));
  });
  return { url, stop: () => process.kill(-proc.pid, 'SIGTERM') };
}

const made = await writeRecording();
const size = statSync(file).size;
process.stderr.write(`replay: wrote ${made.events} events over ${made.seconds.toFixed(0)} s (${(size / 1e6).toFixed(0)} MB)\n`);
const web = await startWeb();
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(web.url);
  await page.getByTestId('server-start').waitFor();
  const openStart = Date.now();
  await page.getByTestId('record-open-input').setInputFiles(file);
  await page.getByTestId('replay-bar').waitFor({ timeout: 600_000 });
  const openMs = Date.now() - openStart;
  const bar = page.getByTestId('replay-bar');
  const min = Number(await page.getByTestId('replay-scrubber').getAttribute('min'));
  const max = Number(await page.getByTestId('replay-scrubber').getAttribute('max'));
  const seeks = [];
  const moves = [];
  for (let i = 0; i < SEEKS; i++) {
    const target = min + Math.random() * (max - min);
    const ms = await page.evaluate(async (value) => {
      const input = document.querySelector('[data-testid="replay-scrubber"]');
      const barEl = document.querySelector('[data-testid="replay-bar"]');
      const before = barEl.getAttribute('data-index');
      const t0 = performance.now();
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      setter.call(input, String(value));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      // Until the bar shows the new cursor, then the end of the frame that paints it.
      while (barEl.getAttribute('data-index') === before) await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return [performance.now() - t0, Number(barEl.getAttribute('data-move-ms'))];
    }, Math.floor(target * 1000) / 1000);
    seeks.push(ms[0]);
    moves.push(ms[1]);
  }
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  const index = Number(await bar.getAttribute('data-count'));
  console.log(`\n### Replay: a ${MINUTES}-minute recording at ${RATE} events/s (${index.toLocaleString('en')} events, ${(size / 1e6).toFixed(0)} MB)\n`);
  console.log(
    table(
      ['measure', 'result'],
      [
        ['open (read, check, index, checkpoints, first view)', `${(openMs / 1000).toFixed(1)} s`],
        [`seek → frame painted, p50 / p95 / max (${SEEKS} random seeks)`, `${median(seeks).toFixed(0)} / ${quantile(seeks, 0.95).toFixed(0)} / ${Math.max(...seeks).toFixed(0)} ms`],
        ['of which: the state at the cursor into the journal (p50 / p95)', `${median(moves).toFixed(0)} / ${quantile(moves, 0.95).toFixed(0)} ms`],
        ['JS heap after the seeks', `${(heap / 1e6).toFixed(0)} MB`],
      ],
    ),
  );
  console.log(`\nJSON: ${JSON.stringify({ date: new Date().toISOString(), events: index, bytes: size, openMs, seeks, moves, heap })}`);
} finally {
  await browser.close();
  web.stop();
  rmSync(dir, { recursive: true, force: true });
}
