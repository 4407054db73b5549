// Renderer benchmark (docs/benchmarks.md): the built renderer in headless Chromium, fed
// 2,000 events/s for 30 s through the preload Bridge slot (window.forkscope) by an in-page
// generator that batches like the supervisor (at most 60 batches/s). Measures frames per
// second, the renderer's share of the latency (batch arrival → the React commit that lists it
// in the timeline; src-renderer/perf.ts) and the JS heap over time (bounded: the renderer keeps
// at most 20k events). The whole way from a real server to the screen: bench/latency.mjs.
//   node bench/renderer.mjs [--rate 2000] [--seconds 30] [--lessons]   (with a lesson's check being judged)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { openLessonAtCheck, root } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RATE = opt('rate', 2000);
const LESSONS = args.includes('--lessons');
const SECONDS = opt('seconds', 30);
const CHROMIUM = process.env.FORKSCOPE_CHROMIUM ?? '/usr/bin/chromium';

const dir = join(root, 'out', 'renderer');
if (!existsSync(join(dir, 'index.html'))) {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
  const file = join(dir, path);
  if (!file.startsWith(dir) || !existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

/** Runs in the page before the app: a Bridge that streams a realistic fork-model run. */
function installSyntheticBridge({ rate, seconds }) {
  const SUP = 1000;
  const MASTER = 1001;
  const counters = { accepted: 0, forked: 0, requests: 0, responses: {}, sigchld: 0, exited: 0, reaped: 0, errors: 0 };
  const summary = { running: false, config: null, master: null, procs: [], queue: { length: 0, backlog: 5 }, zombies: { count: 0, pids: [] }, reap: null, counters, divergence: null, lastError: null, observed: null, connections: [] };
  const listeners = new Set();
  let seq = 0;
  let t = 0;
  let nextPid = 2000;
  let conn = 0;
  let sig = 0;
  const ev = (type, pid, fields) => ({ type, t, pid, source: pid === SUP ? 'supervisor' : 'server', ...fields });
  const proc = (pid, role, state) => ({ pid, ppid: role === 'master' ? SUP : MASTER, state, start: t, cmd: 'node worker.mjs', fds: 6, rssKb: 40000, role });
  const pending = [];
  const live = [];
  const request = () => {
    const id = conn++;
    const pid = nextPid++;
    const port = 30000 + (id % 30000);
    const text = 'GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: forkscope-fire\r\n\r\n';
    const reply = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 44\r\n\r\nHello world from a simple WSGI application!\n';
    live.push(pid);
    return [
      ev('client-connect', SUP, { id, host: '127.0.0.1', port: 8888 }),
      ev('client-connected', SUP, { id, localPort: port, ms: 0.3 }),
      ev('accept', MASTER, { conn: id, peer: { address: '127.0.0.1', port }, fd: 12 }),
      ev('fork', MASTER, { conn: id, child: pid, spawnMs: 1.2, role: 'connection' }),
      ev('worker-ready', pid, { startMs: 35 }),
      ev('client-sent', SUP, { id, bytes: text.length, data: text, encoding: 'utf8' }),
      ev('transcript', pid, { conn: id, dir: 'in', data: text, encoding: 'utf8', truncated: false }),
      ev('request', pid, { conn: id, method: 'GET', path: '/hello', version: '1.1', headers: [['Host', '127.0.0.1']] }),
      ev('response', pid, { conn: id, status: 200, headers: [['Content-Type', 'text/plain']], bytes: 44 }),
      ev('transcript', pid, { conn: id, dir: 'out', data: reply, encoding: 'utf8', truncated: false }),
      ev('client-first-byte', SUP, { id, ms: 50 }),
      ev('client-received', SUP, { id, data: reply, encoding: 'utf8', truncated: false }),
      ev('close', pid, { conn: id }),
      ev('client-done', SUP, { id, status: 200, bytes: 44, ms: 55 }),
      ev('client-eof', SUP, { id, ms: 56 }),
      ev('sigchld', MASTER, { n: ++sig }),
      ev('exit', MASTER, { child: pid, via: 'sigchld' }),
      ev('reap', MASTER, { child: pid, code: 0, zombieMs: 0.4, by: 'loop' }),
    ];
  };
  const start = performance.now();
  let emitted = 0;
  let lastProc = 0;
  const tick = () => {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed > seconds) return;
    t = elapsed * 1000;
    const due = Math.floor(elapsed * rate) - emitted;
    while (pending.length < due) pending.push(...request());
    const events = pending.splice(0, Math.max(0, due));
    if (t - lastProc >= 100) {
      lastProc = t;
      const gone = live.splice(0, Math.max(0, live.length - 4));
      events.push(ev('proc', SUP, { procs: live.map((p) => proc(p, 'worker', 'R')), zombies: 0, full: false, gone }));
      events.push(ev('queue', MASTER, { length: Math.floor(Math.random() * 4), backlog: 5 }));
    }
    emitted += due;
    if (events.length) {
      const batch = { seq, events };
      seq += events.length;
      for (const l of listeners) l(batch);
    }
    setTimeout(tick, 1000 / 60);
  };
  window.__benchDone = () => (performance.now() - start) / 1000 > seconds;
  window.forkscope = {
    invoke(channel) {
      if (channel === 'timeline:snapshot') {
        const first = [
          ev('master-start', SUP, { child: MASTER, argv: ['serve'] }),
          ev('listening', MASTER, { host: '127.0.0.1', port: 8888, backlog: 5, model: 'fork', reap: 'loop', app: 'hello', origin: '0' }),
          ev('proc', SUP, { procs: [proc(SUP, 'supervisor', 'S'), proc(MASTER, 'master', 'S')], zombies: 0, full: true }),
        ];
        seq = first.length;
        setTimeout(tick, 0);
        return Promise.resolve({ summary, events: [], nextSeq: 0 }).then((s) => {
          // Deliver the run's first events as the first batch, as a live supervisor would.
          setTimeout(() => listeners.forEach((l) => l({ seq: 0, events: first })), 0);
          return s;
        });
      }
      // A lesson starts its own server: answer as a supervisor would, with the run going on.
      if (channel === 'server:start' || channel === 'server:restart') return Promise.resolve({ ...summary, running: true });
      return Promise.resolve(null);
    },
    onBatch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
  await page.addInitScript(installSyntheticBridge, { rate: RATE, seconds: SECONDS });
  await page.goto(url);
  const lesson = LESSONS ? await page.evaluate(openLessonAtCheck) : null;
  const heap = [];
  const started = Date.now();
  while (!(await page.evaluate(() => window.__benchDone()))) {
    await page.waitForTimeout(1000);
    heap.push(await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0));
  }
  const stats = await page.evaluate((ms) => window.__forkscopePerf.stats(ms), SECONDS * 1000);
  const shown = await page.evaluate(() => ({
    events: document.querySelector('[data-testid="timeline-count"]')?.textContent ?? '',
    dom: document.getElementsByTagName('*').length,
  }));
  const mb = (b) => (b / 1048576).toFixed(1);
  const mid = heap[Math.floor(heap.length / 3)] ?? 0;
  const end = heap.at(-1) ?? 0;
  console.log(`\n### Renderer: ${RATE} events/s for ${SECONDS} s (headless Chromium, ${Math.round((Date.now() - started) / 1000)} s wall)${lesson ? `, lessons panel open at ${lesson}` : ''}\n`);
  console.log('| measure | result | target |');
  console.log('| --- | --- | --- |');
  console.log(`| frames per second | ${stats.fps.toFixed(1)} | ≥ 30 |`);
  console.log(`| batch arrival → timeline commit p50 / p95 | ${stats.latencyP50.toFixed(1)} ms / ${stats.latencyP95.toFixed(1)} ms (${stats.samples} commits) | the renderer's share of p95 ≤ 100 ms |`);
  console.log(`| JS heap at ${Math.round(SECONDS / 3)} s / at the end | ${mb(mid)} MB / ${mb(end)} MB | bounded |`);
  console.log(`| timeline at the end | ${shown.events}; ${shown.dom} DOM elements | ≤ 20,000 events kept |`);
  if (errors.length) console.log(`\npage errors: ${errors.join('; ')}`);
  if (stats.fps < 30 || stats.latencyP95 > 100) process.exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
