#!/usr/bin/env node
// Benchmark of `forkscope observe` (issue 14), two numbers:
//  1. Its cost: CPU time of the observe process at 10 Hz while the server it watches has 300
//     children each holding one of 300 connections (target ≤ 5 % of one core), and with none.
//  2. Whether observing changes what it observes: the server's requests per second with
//     nobody watching, watched, and watched with SIGCHLD tracing (root), in alternating rounds.
// The server is examples/reap-loop.py (fork per connection, waitpid loop), run by the system
// Python. Usage: node bench/observe.mjs [--children 300] [--seconds 10] [--steady 30] [--rounds 3] [--duration 5]
// Real processes, loopback only; everything it starts is stopped at the end.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PY, median, root, sleep, table } from './lib.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CHILDREN = arg('children', 300);
const SECONDS = arg('seconds', 10);
const ROUNDS = arg("rounds", 3);
const DURATION = arg('duration', 5);
const STEADY = arg('steady', 30);
const CONCURRENCY = 8;
const example = join(root, 'examples', 'reap-loop.py');
const cli = join(root, 'bin', 'forkscope.mjs');
const TICKS = 100; // USER_HZ on Linux

const groups = new Set();
function killAll() {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
process.on('exit', killAll);
process.on('SIGINT', () => process.exit(130));

/** CPU ticks (user + system) a process has used, from /proc/PID/stat. */
function cpuTicks(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function childrenOf(pid) {
  let n = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) n += readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ').filter(Boolean).length;
  return n;
}

/** `forkscope observe --json` on the example; resolves once it says `observing`. */
async function startObserved(extra = []) {
  const proc = spawn(process.execPath, [cli, 'observe', '--json', ...extra, '--', PY, example, '0'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  groups.add(proc.pid);
  let buf = '';
  let observing = null;
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (c) => {
    if (observing) return; // the rest is read and dropped, as any consumer would
    buf += c;
    const line = buf.split('\n').find((l) => l.includes('"type":"observing"'));
    if (line) observing = JSON.parse(line);
  });
  const deadline = Date.now() + 15_000;
  while (!observing && Date.now() < deadline) await sleep(20);
  if (!observing) throw new Error('forkscope observe did not start');
  groups.add(observing.pid);
  return {
    pid: proc.pid,
    server: observing.pid,
    port: observing.port,
    tracing: observing.tracing,
    stop: async () => {
      proc.kill('SIGTERM');
      const t = Date.now();
      while (proc.exitCode === null && Date.now() - t < 8000) await sleep(20);
    },
  };
}

/** The example alone, its output read and dropped as observe would read it. */
async function startBare() {
  const proc = spawn(PY, [example, '0'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  groups.add(proc.pid);
  let port = 0;
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (c) => {
    const m = /port (\d+)/.exec(c);
    if (m && !port) port = Number(m[1]);
  });
  const deadline = Date.now() + 15_000;
  while (!port && Date.now() < deadline) await sleep(20);
  return {
    server: proc.pid,
    port,
    stop: async () => {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await sleep(100);
    },
  };
}

/**
 * Opens `n` connections that say nothing: each gets a child blocked in recv(). A few at a time,
 * each batch accepted before the next (backlog 5: more at once would be dropped and retried).
 */
async function holdConnections(port, server, n) {
  const sockets = [];
  const deadline = Date.now() + 120_000;
  for (let i = 0; i < n && Date.now() < deadline; i += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, n - i) }, () => new Promise((res, rej) => {
        const s = connect({ host: '127.0.0.1', port }, () => res(s));
        s.on('error', rej);
      })),
    );
    sockets.push(...batch);
    while (childrenOf(server) < sockets.length && Date.now() < deadline) await sleep(5);
  }
  return sockets;
}

/** Requests per second: CONCURRENCY loops of connect → GET → read to EOF, for DURATION s. */
async function requestRate(port) {
  let done = 0;
  const end = Date.now() + DURATION * 1000;
  const one = () =>
    new Promise((res) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write('GET / HTTP/1.1\r\nHost: bench\r\n\r\n'));
      s.on('data', () => {});
      s.on('end', () => {
        done++;
        s.destroy();
        res();
      });
      s.on('error', () => res());
      s.setTimeout(5000, () => {
        s.destroy();
        res();
      });
    });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) await one();
  }));
  return done / ((performance.now() - t0) / 1000);
}

/** The CPU share of process `pid` over the next `seconds`. */
async function shareOver(pid, seconds) {
  const c0 = cpuTicks(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return (cpuTicks(pid) - c0) / TICKS / ((performance.now() - t0) / 1000);
}

/**
 * Two windows: the first SECONDS after the children are in (V8 is still compiling and
 * re-compiling the pass — a one-time cost), and SECONDS from STEADY s on, when a watch that runs
 * for minutes costs what it will go on costing.
 */
async function cost(children) {
  const w = await startObserved();
  const held = await holdConnections(w.port, w.server, children);
  const ready = performance.now();
  await sleep(2000); // every child listed once, the first full tree reported
  const first = await shareOver(w.pid, SECONDS);
  await sleep(Math.max(0, STEADY * 1000 - (performance.now() - ready)));
  const steady = await shareOver(w.pid, SECONDS);
  const seen = childrenOf(w.server);
  for (const s of held) s.destroy();
  await w.stop();
  return { children: seen, first, steady, tracing: w.tracing };
}

const pct = (x) => `${(x * 100).toFixed(2)} %`;

try {
  console.log(`\n## forkscope observe (${new Date().toISOString()})\n`);
  const idle = await cost(0);
  const busy = await cost(CHILDREN);
  console.log(`Cost of watching at 10 Hz: CPU of the \`forkscope observe\` process over ${SECONDS} s, 2 s after the children are in and ${STEADY} s after (SIGCHLD tracing ${busy.tracing ? 'on' : 'off'}).\n`);
  console.log(
    table(
      ['server', 'children', 'connections', `CPU (one core), first ${SECONDS} s`, `CPU (one core), from ${STEADY} s`],
      [
        ['reap-loop.py, idle', String(idle.children), '0', pct(idle.first), pct(idle.steady)],
        ['reap-loop.py, each child holding a silent connection', String(busy.children), String(busy.children), pct(busy.first), pct(busy.steady)],
      ],
    ),
  );

  const rates = { bare: [], observed: [], untraced: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of ['bare', 'observed', 'untraced']) {
      const s = kind === 'bare' ? await startBare() : await startObserved(kind === 'untraced' ? ['--no-trace'] : []);
      await requestRate(s.port); // warm-up
      rates[kind].push(await requestRate(s.port));
      await s.stop();
    }
  }
  console.log(`\nThe server's requests per second (${CONCURRENCY} concurrent clients, Connection: close, ${DURATION} s, median of ${ROUNDS} alternating rounds):\n`);
  const base = median(rates.bare);
  console.log(
    table(
      ['watched by', 'req/s', 'ratio to unwatched', 'rounds'],
      [
        ['nobody', base.toFixed(0), '1.00', rates.bare.map((x) => x.toFixed(0)).join(', ')],
        ['forkscope observe (SIGCHLD traced)', median(rates.observed).toFixed(0), (median(rates.observed) / base).toFixed(2), rates.observed.map((x) => x.toFixed(0)).join(', ')],
        ['forkscope observe --no-trace', median(rates.untraced).toFixed(0), (median(rates.untraced) / base).toFixed(2), rates.untraced.map((x) => x.toFixed(0)).join(', ')],
      ],
    ),
  );
} finally {
  killAll();
}
