// End-to-end latency benchmark (docs/benchmarks.md, issue 6): every process real. `forkscope web`
// (the supervisor behind its WebSocket bridge) runs a real master (prefork, 2 workers, by
// default); the app's own client (`client:fire`, what the client panel sends) fires ~150
// requests/s at it for 30 s — ≈ 2,000 events/s with the client's own events; the built renderer
// runs in headless Chromium, driven over the DevTools protocol directly (bench/cdp.mjs: no
// Network domain, so the browser does not copy each WebSocket frame to us). For every event it
// measures the time from its `t` (when the master, a worker or the client stamped it, on the
// supervisor's clock) to the end of the first frame painted after the React commit that listed
// it in the timeline (src-renderer/perf.ts).
//
// Clocks: the supervisor's clock is CLOCK_MONOTONIC from its origin, which the bridge sends
// every socket when it opens ({push: 'clock'}, src-main/ipc/ws-protocol.ts). This process
// reads the same CLOCK_MONOTONIC (process.hrtime) and maps the page's performance.now() onto
// it with round trips through the DevTools protocol (the tightest of 25 pairs, before and
// after the run). The wall-time mapping (Date.now / performance.timeOrigin) is printed as a
// cross-check.
//   node bench/latency.mjs [--seconds 30] [--rate 150] [--model prefork] [--workers 2] [--runs 1]
//                          [--profile S]   (the page's CPU profile over S seconds, self time)
//                          [--lessons]     (with the lessons panel open and a check being judged)
// Diagnostics: FORKSCOPE_PROFILE_FILE=f.json saves that profile; FORKSCOPE_LOAF=f.json saves the
// page's long animation frames (> 50 ms) with the scripts that ran in them.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { launchChromium } from './cdp.mjs';
import { exitOrKill, openLessonAtCheck, root, sleep } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = args[i + 1];
  return typeof dflt === 'number' ? Number(v) : v;
};
const SECONDS = opt('seconds', 30);
const RATE = opt('rate', 150);
const MODEL = opt('model', 'prefork');
const WORKERS = opt('workers', 2);
const RUNS = opt('runs', 1);
/** Seconds of the page's CPU profile to summarize (0: none), taken from 5 s into the run. */
const PROFILE = opt('profile', 0);
const LESSONS = args.includes('--lessons');
const CLIENTS = 8;
const CHROMIUM = process.env.FORKSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const cli = join(root, 'bin', 'forkscope.mjs');

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
const sortNum = (xs) => Float64Array.from(xs).sort();
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');

/** `forkscope web --port 0 --no-open` in its own process group; resolves with its address. */
async function startWeb() {
  const proc = spawn(process.execPath, [cli, 'web', '--port', '0', '--no-open'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (c) => (err += c));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`forkscope web printed no address; stderr:\n${err}`)), 240_000);
    proc.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const m = /^forkscope web: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`forkscope web exited with ${code}; stderr:\n${err}`));
    });
  });
  const exited = proc.exitCode === null ? once(proc, 'exit') : Promise.resolve();
  return {
    url,
    async stop() {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        return;
      }
      await exitOrKill(proc.pid, exited, 20_000);
    },
  };
}

/** The bench's own connection to the bridge: requests, the clock, and each batch's arrival here. */
async function openBridge(url) {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`);
  let clock = null;
  let clockSeen;
  const clockReady = new Promise((r) => (clockSeen = r));
  const replies = new Map();
  // Batches are kept raw with their arrival time and parsed after the run, so that this process
  // takes as little CPU as it can from the machine under test meanwhile.
  const batches = [];
  let recording = false;
  ws.on('message', (data) => {
    const at = process.hrtime.bigint();
    if (recording && data.length > 64 && data.subarray(0, 40).includes('"timeline:batch"')) {
      batches.push([at, data]);
      return;
    }
    const msg = JSON.parse(data.toString());
    if (msg.push === 'clock') {
      clock = { origin: BigInt(msg.origin), wallMs: msg.wallMs };
      clockSeen();
    } else if (msg.push === 'timeline:batch') {
      return;
    } else if (replies.has(msg.id)) {
      const { resolve, reject } = replies.get(msg.id);
      replies.delete(msg.id);
      if ('error' in msg) reject(new Error(msg.error));
      else resolve(msg.result);
    }
  });
  await once(ws, 'open');
  await clockReady;
  let nextId = 1;
  return {
    get clock() {
      return clock;
    },
    /** Supervisor-clock ms now, read here (same CLOCK_MONOTONIC). */
    now: () => Number(process.hrtime.bigint() - clock.origin) / 1e6,
    invoke(channel, arg) {
      const id = nextId++;
      ws.send(JSON.stringify({ id, channel, arg }));
      return new Promise((resolve, reject) => replies.set(id, { resolve, reject }));
    },
    record(on) {
      recording = on;
    },
    /** [arrival − t] per recorded event (not `proc`), on the supervisor's clock, ms; and the event count. */
    received() {
      const out = [];
      let events = 0;
      // Events delivered after one with a later t: what the reorder window did not catch.
      let late = 0;
      let maxT = -Infinity;
      for (const [at, data] of batches) {
        const now = Number(at - clock.origin) / 1e6;
        const { batch } = JSON.parse(data.toString());
        events += batch.events.length;
        for (const e of batch.events) {
          if (e.t < maxT) late++;
          else maxT = e.t;
          if (e.type !== 'proc') out.push(now - e.t);
        }
      }
      return { delays: out, events, late };
    },
    close: () => ws.close(),
  };
}

/** Offset page performance.now() → supervisor clock, from the tightest of n DevTools round trips. */
async function syncClocks(page, bridge, n = 25) {
  let best = { rtt: Infinity, offset: 0, wallSkew: 0 };
  for (let i = 0; i < n; i++) {
    const before = bridge.now();
    const p = await page.evaluate(() => [performance.now(), performance.timeOrigin]);
    const after = bridge.now();
    if (after - before < best.rtt) {
      const mid = (before + after) / 2;
      // Wall mapping of the same instant: page wall (timeOrigin + now) − supervisor wall (wallMs + t).
      best = { rtt: after - before, offset: mid - p[0], wallSkew: p[1] + p[0] - (bridge.clock.wallMs + mid) };
    }
  }
  return best;
}

/** The page's busiest functions (self time) over `seconds`, starting `after` s from now. */
async function profilePage(page, after, seconds) {
  await sleep(after * 1000);
  await page.send('Profiler.enable');
  await page.send('Profiler.setSamplingInterval', { interval: 200 });
  await page.send('Profiler.start');
  await sleep(seconds * 1000);
  const { profile } = await page.send('Profiler.stop');
  if (process.env.FORKSCOPE_PROFILE_FILE) (await import('node:fs')).writeFileSync(process.env.FORKSCOPE_PROFILE_FILE, JSON.stringify(profile));
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (let i = 0; i < profile.samples.length; i++) {
    const f = byId.get(profile.samples[i]).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  return [`page CPU profile, ${seconds} s (${total.toFixed(0)} ms sampled), self time:`, ...top.map(([k, v]) => `  ${v.toFixed(0).padStart(6)} ms  ${((100 * v) / (seconds * 1000)).toFixed(1).padStart(5)} %  ${k}`)].join('\n');
}

async function oneRun(browser) {
  const web = await startWeb();
  let bridge = null;
  const page = await browser.newPage(web.url);
  try {
    const errors = page.errors;
    await page.waitFor(() => window.__forkscopePerf !== undefined, 60_000);
    if (LESSONS) console.log(`lessons panel open at ${await page.evaluate(openLessonAtCheck)}`);
    bridge = await openBridge(web.url);
    const summary = await bridge.invoke('server:start', {
      model: MODEL,
      reap: 'loop',
      app: 'hello',
      interface: 'wsgi',
      host: '127.0.0.1',
      port: 0,
      backlog: 128,
      workers: WORKERS,
      maxRequests: 0,
      parentKeepsConn: false,
      childKeepsListener: false,
      keepAlive: false,
    });
    const port = summary.master?.port;
    if (!port) throw new Error(`the master did not start: ${summary.lastError ?? 'no port'}`);
    await sleep(1500);
    const load0 = loadavg();
    const sync0 = await syncClocks(page, bridge);
    await page.evaluate(() => void window.__forkscopePerf.trace(true));
    if (process.env.FORKSCOPE_LOAF) {
      await page.evaluate(() => {
        window.__loaf = [];
        new PerformanceObserver((l) => {
          for (const e of l.getEntries())
            window.__loaf.push({
              d: e.duration,
              block: e.blockingDuration,
              render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
              style: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
              scripts: e.scripts.map((x) => `${x.invoker}|${x.sourceFunctionName}|${Math.round(x.duration)}`),
            });
        }).observe({ type: 'long-animation-frame', buffered: false });
      });
    }
    bridge.record(true);
    const conns = Math.ceil((RATE * SECONDS) / CLIENTS);
    const t0 = bridge.now();
    const fired = bridge.invoke('client:fire', {
      url: `http://127.0.0.1:${port}/hello`,
      mode: 'burst',
      method: 'GET',
      headers: [],
      clients: CLIENTS,
      conns,
      rate: RATE,
      timeoutS: 20,
      allowRemote: false,
    });
    let done = false;
    void fired.finally(() => (done = true)).catch(() => {});
    const profiled = PROFILE > 0 ? profilePage(page, 5, PROFILE) : null;
    const fps = [];
    const heap = [];
    while (!done && bridge.now() - t0 < (SECONDS + 60) * 1000) {
      await sleep(1000);
      const s = await page.evaluate(() => [window.__forkscopePerf.stats(1000).fps, performance.memory?.usedJSHeapSize ?? 0]);
      fps.push(s[0]);
      heap.push(s[1]);
    }
    const fire = await fired;
    if (profiled) console.log(await profiled);
    const wall = (bridge.now() - t0) / 1000;
    await sleep(1000); // the last events through the window and onto the screen
    bridge.record(false);
    const rows = await page.evaluate(() => {
      const perf = window.__forkscopePerf;
      perf.trace(false);
      return perf.traceRows().map((r) => [r.t, r.arrived, r.committed, r.painted]);
    });
    const sync1 = await syncClocks(page, bridge);
    if (process.env.FORKSCOPE_LOAF) (await import('node:fs')).writeFileSync(process.env.FORKSCOPE_LOAF, JSON.stringify(await page.evaluate(() => window.__loaf)));
    const load1 = loadavg();
    await bridge.invoke('server:stop', null).catch(() => {});
    // Page times → supervisor clock with the mean of the two syncs (drift is printed).
    const off = (sync0.offset + sync1.offset) / 2;
    const total = [];
    const toPage = [];
    const inPage = [];
    const toFrame = [];
    for (const [t, arrived, committed, painted] of rows) {
      total.push(painted + off - t);
      toPage.push(arrived + off - t);
      inPage.push(committed - arrived);
      toFrame.push(painted - committed);
    }
    const tap = bridge.received();
    return {
      load0,
      load1,
      wall,
      events: tap.events,
      late: tap.late,
      requests: fire.total,
      ok: fire.outcomes.ok ?? 0,
      rtt: Math.max(sync0.rtt, sync1.rtt),
      drift: sync1.offset - sync0.offset,
      wallSkew: sync0.wallSkew,
      fps: sortNum(fps.slice(1)),
      heap,
      total: sortNum(total),
      supervisor: sortNum(tap.delays),
      toPage: sortNum(toPage),
      inPage: sortNum(inPage),
      toFrame: sortNum(toFrame),
      errors,
    };
  } finally {
    bridge?.close();
    await page.close();
    await web.stop();
  }
}

function report(r, i) {
  const mb = (b) => (b / 1048576).toFixed(1);
  const row = (name, xs) => `| ${name} | ${ms(pct(xs, 0.5))} | ${ms(pct(xs, 0.95))} | ${ms(pct(xs, 0.99))} |`;
  console.log(`\n### Run ${i + 1}: ${MODEL} (${WORKERS} workers), ${RATE} requests/s for ${SECONDS} s — load average ${r.load0} before, ${r.load1} after\n`);
  console.log(`${r.requests} requests (${r.ok} answered) in ${r.wall.toFixed(1)} s; ${r.events} events (${Math.round(r.events / r.wall)} events/s); ${r.total.length} traced to the screen; ${r.late} (${((100 * r.late) / r.events).toFixed(2)} %) delivered after an event with a later t.`);
  console.log(`Frames/s (per second of the run): median ${ms(pct(r.fps, 0.5))}, lowest ${ms(r.fps[0])}. JS heap: ${r.heap.length > 3 ? `${mb(r.heap[Math.floor(r.heap.length / 3)])} MB at a third, ` : ''}${mb(r.heap.at(-1) ?? 0)} MB at the end.`);
  console.log(`Clock mapping: DevTools round trip ≤ ${r.rtt.toFixed(2)} ms, drift over the run ${r.drift.toFixed(2)} ms; the wall-time mapping differs by ${r.wallSkew.toFixed(2)} ms.\n`);
  console.log('| event → … (ms) | p50 | p95 | p99 |');
  console.log('|---|---:|---:|---:|');
  console.log(row('**screen** (first frame painted after the timeline commit that lists it)', r.total));
  console.log(row('  the bench\'s own socket (supervisor out, for comparison)', r.supervisor));
  console.log(row('  the page (WebSocket message)', r.toPage));
  console.log(row('  page arrival → timeline commit', r.inPage));
  console.log(row('  commit → that frame painted', r.toFrame));
  if (r.errors.length) console.log(`\npage errors: ${r.errors.join('; ')}`);
}

const browser = await launchChromium(CHROMIUM, ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info', '--window-size=1440,1000']);
const results = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const r = await oneRun(browser);
    report(r, i);
    results.push(r);
  }
} finally {
  await browser.close();
}
if (results.length > 1) {
  const med = (xs) => sortNum(xs)[Math.floor(xs.length / 2)];
  const of = (k, p) => med(results.map((r) => pct(r[k], p)));
  console.log(`\n### Median of ${results.length} runs\n`);
  console.log('| measure | result | target |');
  console.log('|---|---:|---|');
  console.log(`| events/s | ${Math.round(med(results.map((r) => r.events / r.wall)))} | 2,000 |`);
  console.log(`| frames/s (median second) | ${ms(of('fps', 0.5))} | ≥ 30 |`);
  console.log(`| event → screen p50 / p95 / p99 | ${ms(of('total', 0.5))} / ${ms(of('total', 0.95))} / ${ms(of('total', 0.99))} ms | p95 ≤ 100 ms |`);
}
const worst = results.map((r) => pct(r.total, 0.95));
if (worst.some((p) => !(p <= 100)) || results.some((r) => pct(r.fps, 0.5) < 30)) process.exitCode = 1;
