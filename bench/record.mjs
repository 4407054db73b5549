// Issue 13: what recording costs a busy server. A 30 s prefork keep-alive run (2 workers, hello,
// wrk -t1 -c8) with and without `--record FILE`, interleaved (plain, recorded, plain, …); only
// the ratio counts. Both write every event: without --record the master's --json goes to
// /dev/null; with it the master's events go through a pipe to the CLI process, which writes them
// to the file (and its own stdout, /dev/null).
//   node bench/record.mjs [--reps 3] [--duration 30]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, has, median, root, startServer, table, wrk } from './lib.mjs';

const args = process.argv.slice(2);
const num = (flag, dflt) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const reps = num('--reps', 3);
const duration = num('--duration', 30);
if (!has('wrk')) throw new Error('wrk is missing: apt-get install -y wrk');

const cli = join(root, 'bin', 'forkscope.mjs');
const dir = mkdtempSync(join(tmpdir(), 'forkscope-bench-record-'));
const base = ['serve', 'hello', '--model', 'prefork', '--workers', '2', '--backlog', '1024', '--keep-alive', '--json'];

/**
 * CPU time (user + system, ms) of every process in a process group, from /proc: on a machine
 * shared with other work, CPU per request is steadier than requests per second.
 */
function groupCpuMs(pgid) {
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks * 10; // CLK_TCK is 100 on Linux
}

async function one(record) {
  const port = await freePort();
  const file = join(dir, 'run.forkscope.jsonl');
  const argv = [process.execPath, cli, ...base, '--port', String(port), ...(record ? ['--record', file] : [])];
  const srv = await startServer(record ? 'recorded' : 'plain', argv, port);
  try {
    const url = `http://127.0.0.1:${port}/hello`;
    wrk(url, { c: 8, d: 1, close: false }); // warm-up
    const before = groupCpuMs(srv.proc.pid);
    const res = wrk(url, { c: 8, d: duration, close: false });
    res.cpuUsPerRequest = ((groupCpuMs(srv.proc.pid) - before) * 1000) / Math.max(1, res.requests ?? res.rps * duration);
    return res;
  } finally {
    await srv.stop();
    if (record) {
      res_bytes.push(statSync(file).size);
      rmSync(file, { force: true });
    }
  }
}

const res_bytes = [];
const plain = [];
const recorded = [];
try {
  for (let r = 0; r < reps; r++) {
    for (const record of [false, true]) {
      const res = await one(record);
      (record ? recorded : plain).push(res);
      process.stderr.write(`record rep ${r + 1}: ${record ? 'with --record' : 'without'} ${res.rps.toFixed(0)} req/s\n`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const row = (name, rs) => [name, median(rs.map((x) => x.rps)).toFixed(0), `${Math.min(...rs.map((x) => x.rps)).toFixed(0)}–${Math.max(...rs.map((x) => x.rps)).toFixed(0)}`, median(rs.map((x) => x.p50_ms)).toFixed(2), median(rs.map((x) => x.p99_ms)).toFixed(2), median(rs.map((x) => x.errors)), median(rs.map((x) => x.cpuUsPerRequest)).toFixed(1)];
console.log(`\n### Recording cost: prefork 2, keep-alive (wrk -t1 -c8 -d${duration}s, median of ${reps})\n`);
console.log(table(['server', 'req/s', 'min–max', 'p50 ms', 'p99 ms', 'errors', 'CPU µs per request (all its processes)'], [row('forkscope serve --json', plain), row('forkscope serve --json --record FILE', recorded)]));
const ratio = median(recorded.map((x) => x.rps)) / median(plain.map((x) => x.rps));
const cpuRatio = median(plain.map((x) => x.cpuUsPerRequest)) / median(recorded.map((x) => x.cpuUsPerRequest));
const mb = median(res_bytes) / 1e6;
console.log(`\nwith ÷ without: ${ratio.toFixed(3)}× in requests per second (target ≥ 0.95×); ${cpuRatio.toFixed(3)}× in CPU per request (without ÷ with); recording size: ${mb.toFixed(0)} MB per ${duration} s run (${(mb / duration).toFixed(1)} MB/s)`);
console.log(`\nJSON: ${JSON.stringify({ date: new Date().toISOString(), reps, duration, plain: plain.map((x) => x.rps), recorded: recorded.map((x) => x.rps), cpuPlain: plain.map((x) => x.cpuUsPerRequest), cpuRecorded: recorded.map((x) => x.cpuUsPerRequest), bytes: res_bytes, ratio, cpuRatio })}`);
