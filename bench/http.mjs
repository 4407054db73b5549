// HTTP benchmarks: forkscope's models against their peers (bench/peers), measured
// interleaved in one run (rep 1 of every server, then rep 2, …); only ratios count.
//   node bench/http.mjs [iterative] [fork] [prefork] [--reps 3] [--duration 5]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, has, median, peers, PY, root, skipped, sleep, startServer, table, wrk, quantile } from './lib.mjs';

const cli = join(root, 'bin', 'forkscope.mjs');
const node = process.execPath;

function forkscope(args) {
  return async () => {
    const port = await freePort();
    // --json to a sink: the events are produced (the product's real cost) but not printed.
    return startServer(`forkscope ${args.join(' ')}`, [node, cli, 'serve', 'hello', ...args, '--port', String(port), '--json'], port);
  };
}
function peer(name, argv) {
  return async () => {
    const port = await freePort();
    return startServer(name, argv(port), port, { cwd: peers });
  };
}

const python = has(PY);
const gunicorn = has('gunicorn');

const servers = {
  iterative: {
    'forkscope iterative': forkscope(['--model', 'iterative', '--backlog', '1024']),
    'node http (node-http.mjs)': peer('node http', (p) => [node, 'node-http.mjs', '--port', String(p)]),
    ...(python
      ? { 'python iterative (tutorial_server.py)': peer('python iterative', (p) => [PY, 'tutorial_server.py', 'apps:app', '--port', String(p), '--backlog', '1024']) }
      : {}),
  },
  fork: {
    'forkscope fork (reap loop)': forkscope(['--model', 'fork', '--reap', 'loop', '--backlog', '1024', '--max-zombies', '100000']),
    ...(python
      ? { 'python fork (tutorial_server.py)': peer('python fork', (p) => [PY, 'tutorial_server.py', 'apps:app', '--port', String(p), '--backlog', '1024', '--model', 'fork']) }
      : {}),
  },
  prefork: {
    // The asynchronous variant: each worker serves up to 8 connections at once.
    'forkscope prefork 2 --worker-connections 8': forkscope(['--model', 'prefork', '--workers', '2', '--worker-connections', '8', '--backlog', '1024', '--keep-alive']),
    'node cluster 2 (node-cluster.mjs)': peer('node cluster', (p) => [node, 'node-cluster.mjs', '--port', String(p), '--workers', '2']),
    ...(gunicorn
      ? { 'gunicorn sync 2': peer('gunicorn', (p) => ['gunicorn', '-k', 'sync', '-w', '2', '-b', `127.0.0.1:${p}`, '--backlog', '1024', 'apps:app']) }
      : {}),
  },
};
/** Sync workers (--worker-connections 1, the default) against gunicorn's: Connection: close only (they close kept connections). */
servers.prefork['forkscope prefork 2 --worker-connections 1'] = forkscope(['--model', 'prefork', '--workers', '2', '--backlog', '1024']);
const closeOnly = new Set(['forkscope prefork 2 --worker-connections 1']);

/** accept → first byte of a worker (from the server's own events) vs `node -e 0`, interleaved. */
async function forkStartCost(n) {
  const port = await freePort();
  const proc = spawn(node, [cli, 'serve', 'hello', '--model', 'fork', '--port', String(port), '--json'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const events = [];
  let buf = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line) events.push(JSON.parse(line));
    }
  });
  while (!events.some((e) => e.type === 'listening')) await sleep(20);
  const request = () =>
    new Promise((res, rej) => {
      const s = connect({ port, host: '127.0.0.1' }, () => s.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      s.on('data', () => {});
      s.on('end', res);
      s.on('error', rej);
    });
  const nodeStart = async () => {
    const t = process.hrtime.bigint();
    const p = spawn(node, ['-e', '0'], { stdio: 'ignore', env: { PATH: process.env.PATH } });
    await once(p, 'exit');
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const bare = [];
  for (let i = 0; i < n; i++) {
    bare.push(await nodeStart());
    await request();
  }
  await sleep(300);
  process.kill(-proc.pid, 'SIGTERM');
  await once(proc, 'exit');
  const accepts = new Map(events.filter((e) => e.type === 'accept').map((e) => [e.conn, e.t]));
  const firstOut = new Map();
  for (const e of events) if (e.type === 'transcript' && e.dir === 'out' && !firstOut.has(e.conn)) firstOut.set(e.conn, e.t);
  const spawnMs = events.filter((e) => e.type === 'fork').map((e) => e.spawnMs);
  const ready = events.filter((e) => e.type === 'worker-ready').map((e) => e.startMs);
  const toFirstByte = [...firstOut].map(([conn, t]) => t - accepts.get(conn)).filter((x) => Number.isFinite(x));
  return {
    n,
    nodeE0: { p50: median(bare), p90: quantile(bare, 0.9) },
    acceptToFirstByte: { p50: median(toFirstByte), p90: quantile(toFirstByte, 0.9) },
    spawnMs: { p50: median(spawnMs) },
    workerReadyMs: { p50: median(ready) },
    ratio: median(toFirstByte) / median(bare),
  };
}

async function main() {
  const args = process.argv.slice(2);
  const num = (flag, dflt) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const reps = num('--reps', 3);
  const duration = num('--duration', 5);
  const sections = args.filter((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  const chosen = sections.length ? sections : ['iterative', 'fork', 'prefork'];
  if (!has('wrk')) {
    skipped('wrk', 'apt-get install -y wrk');
    return;
  }
  if (!python) skipped('python3', 'apt-get install -y python3');
  if (!gunicorn) skipped('gunicorn', 'apt-get install -y gunicorn');
  const results = { date: new Date().toISOString(), reps, duration, sections: {} };

  for (const section of chosen) {
    const plans = [];
    for (const [name, make] of Object.entries(servers[section])) {
      if (section === 'prefork' && !closeOnly.has(name)) {
        plans.push({ name, make, close: true }, { name, make, close: false });
      } else plans.push({ name, make, close: true });
    }
    const runs = new Map(plans.map((p) => [`${p.name}|${p.close}`, []]));
    for (let r = 0; r < reps; r++) {
      for (const plan of plans) {
        const srv = await plan.make();
        try {
          const url = `http://127.0.0.1:${srv.port}/hello`;
          wrk(url, { c: 8, d: 1, close: plan.close }); // warm-up, not recorded
          const res = wrk(url, { c: 8, d: duration, close: plan.close });
          runs.get(`${plan.name}|${plan.close}`).push(res);
          process.stderr.write(`${section} rep ${r + 1}: ${plan.name} ${plan.close ? 'close' : 'keep-alive'} ${res.rps.toFixed(0)} req/s\n`);
        } finally {
          await srv.stop();
        }
      }
    }
    const rows = plans.map((p) => {
      const rs = runs.get(`${p.name}|${p.close}`);
      return {
        server: p.name,
        connection: p.close ? 'close' : 'keep-alive',
        rps: median(rs.map((x) => x.rps)),
        rpsRange: [Math.min(...rs.map((x) => x.rps)), Math.max(...rs.map((x) => x.rps))],
        p50: median(rs.map((x) => x.p50_ms)),
        p99: median(rs.map((x) => x.p99_ms)),
        errors: median(rs.map((x) => x.errors)),
      };
    });
    results.sections[section] = { rows };
    if (section === 'fork') results.sections.fork.startCost = await forkStartCost(30);
  }

  for (const [section, { rows, startCost }] of Object.entries(results.sections)) {
    console.log(`\n### ${section} (wrk -t1 -c8 -d${duration}s, median of ${reps})\n`);
    console.log(
      table(
        ['server', 'connection', 'req/s', 'min–max', 'p50 ms', 'p99 ms', 'errors', 'forkscope ÷ this'],
        rows.map((r) => {
          const base = rows.find((x) => x.connection === r.connection);
          return [r.server, r.connection, r.rps.toFixed(0), `${r.rpsRange[0].toFixed(0)}–${r.rpsRange[1].toFixed(0)}`, r.p50.toFixed(2), r.p99.toFixed(2), r.errors, (base.rps / r.rps).toFixed(2) + '×'];
        }),
      ),
    );
    if (startCost) {
      console.log(`\nfork start cost (${startCost.n} sequential requests, interleaved with \`node -e 0\`):`);
      console.log(
        table(
          ['measure', 'p50 ms', 'p90 ms'],
          [
            ['`node -e 0` (spawn → exit)', startCost.nodeE0.p50.toFixed(1), startCost.nodeE0.p90.toFixed(1)],
            ['accept → first byte of the worker', startCost.acceptToFirstByte.p50.toFixed(1), startCost.acceptToFirstByte.p90.toFixed(1)],
            ['posix_spawn in the master', startCost.spawnMs.p50.toFixed(2), ''],
            ['spawn → worker ready', startCost.workerReadyMs.p50.toFixed(1), ''],
          ],
        ),
      );
      console.log(`\nratio accept→first byte / node -e 0: ${startCost.ratio.toFixed(2)}×`);
    }
  }
  console.log(`\nJSON: ${JSON.stringify(results)}`);
}

await main();
