#!/usr/bin/env node
// Benchmark of the supervisor (issue 5), two numbers:
//  1. Observer cost: CPU time of sampling /proc at 10 Hz while the master has 500 zombies
//     (target < 5 % of one core), for the default way (children files + zombie cache) and the
//     alternatives (no cache; a walk over all of /proc).
//  2. Pipeline throughput: recorded NDJSON of a real master run → parser → rebase → merged
//     timeline → batches to a subscriber (target ≥ 50,000 events/s), in process and through a
//     real pipe (`cat` as the "master").
// Usage: node bench/supervisor.mjs [--zombies 500] [--seconds 10] [--events 200000]
//                                  [--observer-only | --pipeline-only] [--recording FILE]
// Real processes, loopback only; everything it starts is stopped and reaped at the end.
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, sleep } from './lib.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ZOMBIES = arg('zombies', 500);
const SECONDS = arg('seconds', 10);
const EVENTS = arg('events', 200_000);

/** Bundles the supervisor's TypeScript once (koffi stays in node_modules). */
async function load() {
  const out = join(root, 'dist-core', `bench-supervisor.${process.pid}.mjs`);
  await build({
    entryPoints: [join(root, 'src-main/supervisor/index.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['koffi'],
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}

const pct = (x) => `${(x * 100).toFixed(2)} %`;
const until = async (pred, ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end && !pred()) await sleep(50);
  return pred();
};

/** Samples at `hz` for `seconds` with one observer; CPU share of one core and ms per pass. */
async function measureObserver(obs, seconds) {
  const cost0 = { ...obs.cost };
  const t0 = performance.now();
  const timer = setInterval(() => obs.sample(), 1000 / obs.hz);
  await sleep(seconds * 1000);
  clearInterval(timer);
  const wall = performance.now() - t0;
  const passes = obs.cost.passes - cost0.passes;
  const cpu = obs.cost.cpuMs - cost0.cpuMs;
  return { passes, cpuMs: cpu, perPassMs: cpu / passes, share: cpu / wall };
}

async function observerCost(m) {
  const sup = new m.Supervisor();
  try {
    const cfg = { ...m.defaultRunConfig(), port: 0, model: 'fork', reap: 'none', maxZombies: ZOMBIES + 100 };
    const s = await sup.start(cfg);
    if (!s.running) throw new Error(`master did not start: ${s.lastError}`);
    const { pid, port } = s.master;
    process.stdout.write(`making ${ZOMBIES} zombies (fork / reap none)… `);
    const t0 = performance.now();
    await sup.fire(m.defaultFireOptions({ url: `http://127.0.0.1:${port}/hello`, mode: 'burst', clients: 4, conns: Math.ceil(ZOMBIES / 4), method: 'GET', timeoutS: 60 }));
    if (!(await until(() => sup.summary().zombies.count >= ZOMBIES, 60_000))) throw new Error(`only ${sup.summary().zombies.count} zombies`);
    console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // The supervisor's own observer, as it runs in the app (10 Hz timer, events to the timeline).
    const before = sup.observerCost;
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await sleep(SECONDS * 1000);
    const wall = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    const after = sup.observerCost;
    const rows = [];
    const passes = after.passes - before.passes;
    rows.push({ way: 'supervisor (children files, zombie cache) — as shipped', passes, perPassMs: (after.cpuMs - before.cpuMs) / passes, share: (after.cpuMs - before.cpuMs) / wall });
    const whole = (cpu.user + cpu.system) / 1000 / wall;

    for (const [way, opts] of [
      ['children files, no zombie cache', { mode: 'children', cacheZombies: false }],
      ['walk all of /proc, no zombie cache', { mode: 'walk', cacheZombies: false }],
    ]) {
      const obs = new m.Observer({ hz: 10, ...opts }, () => {});
      obs.setMaster(pid);
      const r = await measureObserver(obs, Math.max(2, SECONDS / 2));
      rows.push({ way, ...r });
    }
    const tree = new m.Observer({}, () => {});
    tree.setMaster(pid);
    const sample = tree.sample();
    console.log(`\n### Observer at 10 Hz, ${sample.tree.zombies} zombies under the master (${sample.tree.procs.size} processes in the tree)\n`);
    console.log('| way of looking | passes | CPU per pass | share of one core |');
    console.log('|---|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.way} | ${r.passes} | ${r.perPassMs.toFixed(3)} ms | ${pct(r.share)} |`);
    console.log(`\nWhole supervisor process while idle with the observer on (timeline, batches, GC included): ${pct(whole)} of one core.`);
    return { rows, whole };
  } finally {
    await sup.shutdown();
  }
}

/** Records a real master's stdout: prefork, 2 workers, a burst of 1,000 requests. */
async function record(m) {
  const lines = [];
  let port = 0;
  const master = m.MasterProcess.start(m.defaultLaunch(), m.serveArgs({ ...m.defaultRunConfig(), port: 0, model: 'prefork', workers: 2 }), {
    line: (l) => {
      lines.push(l);
      if (!port && l.includes('"listening"')) port = JSON.parse(l).port;
    },
    exit: () => {},
  });
  try {
    if (!(await until(() => port > 0, 20_000))) throw new Error('master did not listen');
    const res = await m.fireClient(m.defaultFireOptions({ url: `http://127.0.0.1:${port}/hello`, mode: 'burst', clients: 10, conns: 100, method: 'GET', timeoutS: 30 }), () => {});
    await sleep(300);
    if (res.statuses['200'] !== 1000) throw new Error(`recording: the burst got ${JSON.stringify(res.outcomes)}; master stderr: ${master.stderr().join(' | ')}`);
  } finally {
    master.signal('SIGTERM');
    await Promise.race([master.exited, sleep(5000)]);
    master.signalGroup('SIGKILL');
  }
  return lines;
}

/**
 * Repeats the recording up to `n` events, renumbering `t` so the stream stays in time order
 * and lies in the past (every event ripe for delivery, as on a live stream that keeps up).
 */
function replicate(lines, n, originNs) {
  const body = lines.filter((l) => !l.includes('"listening"'));
  const listening = JSON.parse(lines.find((l) => l.includes('"listening"')));
  const spanMs = n * 0.01 + 1000; // 10 µs apart
  listening.origin = String(originNs - BigInt(Math.ceil(spanMs + 2000)) * 1_000_000n);
  listening.t = 0;
  const out = [JSON.stringify(listening)];
  for (let i = 0; out.length <= n; i++) {
    const e = JSON.parse(body[i % body.length]);
    e.t = out.length * 0.01;
    out.push(JSON.stringify(e));
  }
  return `${out.join('\n')}\n`;
}

async function pipeline(m) {
  // --recording FILE: replay that file (recording it first if it does not exist yet).
  const i = process.argv.indexOf('--recording');
  const file = i > 0 ? process.argv[i + 1] : null;
  let lines;
  if (file && existsSync(file)) lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  else {
    lines = await record(m);
    if (file) writeFileSync(file, `${lines.join('\n')}\n`);
  }
  const { getOrigin } = m;
  const origin = BigInt(getOrigin());
  const text = replicate(lines, EVENTS, origin);
  const bytes = Buffer.byteLength(text);
  const results = [];

  // 1. In process: chunks of 64 KiB (a pipe's worth) → splitter → parse + rebase → timeline.
  {
    const tl = new m.Timeline();
    let got = 0;
    tl.subscribe((b) => (got += b.events.length));
    const stream = new m.MasterStream((e) => tl.push(e, 'server'), () => {});
    const split = new m.LineSplitter();
    const t0 = performance.now();
    for (let i = 0; i < text.length; i += 65536) {
      split.push(text.slice(i, i + 65536), (l) => stream.line(l));
      if ((i / 65536) % 4 === 3) await new Promise((r) => setImmediate(r));
    }
    await until(() => got >= EVENTS + 1, 60_000);
    const ms = performance.now() - t0;
    results.push({ way: 'in process (splitter → parser → timeline → batches)', events: got, ms, batches: tl.batches });
    tl.dispose();
  }

  // 2. Through a real pipe: `cat` plays the master; MasterProcess reads its stdout.
  {
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-bench-'));
    const file = join(dir, 'master.ndjson');
    writeFileSync(file, text);
    try {
      const tl = new m.Timeline();
      let got = 0;
      tl.subscribe((b) => (got += b.events.length));
      const stream = new m.MasterStream((e) => tl.push(e, 'server'), () => {});
      const t0 = performance.now();
      const cat = m.MasterProcess.start({ node: 'cat', args: [file], env: process.env, cwd: dir }, [], { line: (l) => stream.line(l), exit: () => {} });
      await until(() => got >= EVENTS + 1, 60_000);
      const ms = performance.now() - t0;
      await cat.exited;
      results.push({ way: 'through a pipe (cat → MasterProcess → timeline → batches)', events: got, ms, batches: tl.batches });
      tl.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\n### Pipeline: ${EVENTS.toLocaleString('en')} events (${(bytes / 1e6).toFixed(1)} MB of NDJSON recorded from a prefork burst of 1,000 requests)\n`);
  console.log('| path | events/s | batches | batches/s |');
  console.log('|---|---:|---:|---:|');
  for (const r of results) console.log(`| ${r.way} | ${Math.round(r.events / (r.ms / 1000)).toLocaleString('en')} | ${r.batches} | ${(r.batches / (r.ms / 1000)).toFixed(1)} |`);
  return results;
}

const m = await load();
console.log(`forkscope supervisor benchmark — node ${process.version}, ${new Date().toISOString()}`);
if (!process.argv.includes('--pipeline-only')) await observerCost(m);
if (!process.argv.includes('--observer-only')) await pipeline(m);
