// `npm run bench [-- SECTION... --reps N --duration S]`: every benchmark of docs/benchmarks.md.
// Sections: iterative, fork, prefork (bench/http.mjs), cpu (bench/cpu.mjs: CPU time per
// request, prefork against Node's cluster), supervisor (bench/supervisor.mjs),
// renderer (bench/renderer.mjs when present), latency (bench/latency.mjs: event → screen with
// every process real), record (bench/record.mjs: what --record costs a busy server), replay
// (bench/replay.mjs: opening and seeking a ten-minute recording), observe (bench/observe.mjs:
// forkscope observe's cost). Default: all. Results print as Markdown tables.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.mjs';

const args = process.argv.slice(2);
const flags = [];
const sections = [];
/** --lessons: the renderer and latency benchmarks run with the lessons panel open. */
let lessons = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--lessons') lessons = true;
  else if (args[i].startsWith('--')) flags.push(args[i], args[++i]);
  else sections.push(args[i]);
}
const all = ['iterative', 'fork', 'prefork', 'cpu', 'supervisor', 'renderer', 'latency', 'record', 'replay', 'observe'];
const chosen = sections.length ? sections : all;
const unknown = chosen.filter((s) => !all.includes(s));
if (unknown.length) {
  console.error(`bench: unknown section ${unknown.join(', ')} — choose from ${all.join(', ')}`);
  process.exit(2);
}

const http = chosen.filter((s) => ['iterative', 'fork', 'prefork'].includes(s));
const run = (file, extra) => {
  const path = join(root, 'bench', file);
  if (!existsSync(path)) {
    console.log(`\n(${file} not present: skipped)`);
    return;
  }
  const r = spawnSync(process.execPath, [path, ...extra], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
};
if (http.length) run('http.mjs', [...http, ...flags]);
if (chosen.includes('cpu')) run('cpu.mjs', []);
if (chosen.includes('supervisor')) run('supervisor.mjs', []);
if (chosen.includes('renderer')) run('renderer.mjs', lessons ? ['--lessons'] : []);
if (chosen.includes('latency')) run('latency.mjs', ['--runs', '3', ...(lessons ? ['--lessons'] : [])]);
if (chosen.includes('record')) run('record.mjs', flags);
if (chosen.includes('replay')) run('replay.mjs', []);
if (chosen.includes('observe')) run('observe.mjs', []);
