// CPU time per request, from the kernel's own accounting (/proc/PID/stat utime + stime of every
// process of the server's process group), while wrk keeps the server busy. Alternated runs, so
// each server sees the same machine; the master's share is shown apart.
//   node bench/cpu.mjs [--reps 3] [--seconds 4] [--close]
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, has, median, peers, root, skipped, sleep, table } from './lib.mjs';

const TICKS_PER_S = 100;
const args = process.argv.slice(2);
const num = (flag, dflt) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : dflt);
const reps = num('--reps', 3);
const seconds = num('--seconds', 4);
const close = args.includes('--close');
const node = process.execPath;
const cli = join(root, 'bin', 'forkscope.mjs');

/** utime + stime ticks of the group's processes (and of the leader alone). */
function cpuTicks(pgid) {
  let all = 0;
  let leader = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue;
    const ticks = Number(f[11]) + Number(f[12]);
    all += ticks;
    if (Number(d) === pgid) leader = ticks;
  }
  return { all, leader };
}

function wrkRun(port, d) {
  const out = execFileSync('wrk', ['-t1', '-c8', `-d${d}s`, ...(close ? ['-H', 'Connection: close'] : []), `http://127.0.0.1:${port}/hello`], { encoding: 'utf8' });
  return { requests: Number(/(\d+) requests in/.exec(out)[1]), rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]) };
}

async function measure(argv, cwd) {
  const port = await freePort();
  const p = spawn(argv[0], [...argv.slice(1), '--port', String(port)], { cwd, detached: true, stdio: 'ignore' });
  try {
    await sleep(2500);
    wrkRun(port, 1); // warm-up
    const before = cpuTicks(p.pid);
    const { requests, rps } = wrkRun(port, seconds);
    const after = cpuTicks(p.pid);
    const us = (ticks) => ((ticks / TICKS_PER_S) * 1e6) / requests;
    return { rps, us: us(after.all - before.all), masterUs: us(after.leader - before.leader) };
  } finally {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await sleep(300);
  }
}

const servers = {
  'forkscope prefork 2 --worker-connections 8': { argv: [node, cli, 'serve', 'hello', '--model', 'prefork', '--workers', '2', '--worker-connections', '8', '--keep-alive', '--backlog', '1024', '--json'], cwd: root },
  'node cluster 2 (node-cluster.mjs)': { argv: [node, 'node-cluster.mjs', '--workers', '2'], cwd: peers },
};

if (!has('wrk')) skipped('wrk', 'apt-get install -y wrk');
else {
  const runs = new Map(Object.keys(servers).map((k) => [k, []]));
  for (let r = 0; r < reps; r++) {
    for (const [name, s] of Object.entries(servers)) {
      const res = await measure(s.argv, s.cwd);
      runs.get(name).push(res);
      process.stderr.write(`cpu rep ${r + 1}: ${name} ${res.rps.toFixed(0)} req/s, ${res.us.toFixed(1)} µs/request\n`);
    }
  }
  console.log(`\n### CPU per request (${close ? 'Connection: close' : 'keep-alive'}, wrk -t1 -c8 -d${seconds}s, median of ${reps})\n`);
  console.log(
    table(
      ['server', 'req/s', 'µs of CPU per request (all processes)', 'of which the master'],
      [...runs].map(([name, rs]) => [name, median(rs.map((x) => x.rps)).toFixed(0), median(rs.map((x) => x.us)).toFixed(1), median(rs.map((x) => x.masterUs)).toFixed(1)]),
    ),
  );
}
