// Shared pieces of `npm run bench`: free ports, servers in their own process group,
// wrk runs bounded by timeout, medians. Loopback only.
import { spawn, execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The peer servers this project brings along (bench/peers/README.md). */
export const peers = resolve(root, 'bench', 'peers');
/** Debian's python3 where present (gunicorn runs on it too), else whatever python3 is on PATH. */
export const PY = has('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export function has(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Says in one line that a peer is missing and how to get it; the run goes on without it. */
export function skipped(what, how) {
  console.log(`(${what} is not installed here — ${how} — so its rows are left out)`);
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits for `exited`; if the process group `pgid` is still there after `ms`, SIGKILLs it. */
export async function exitOrKill(pgid, exited, ms) {
  const t = setTimeout(() => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, ms);
  await exited;
  clearTimeout(t);
}

async function canConnect(port) {
  return new Promise((res) => {
    const c = connect({ port, host: '127.0.0.1' });
    c.once('connect', () => {
      c.destroy();
      res(true);
    });
    c.once('error', () => res(false));
  });
}

/** Starts argv detached (own process group), waits until the port accepts connections. */
export async function startServer(name, argv, port, { cwd = root, env = {} } = {}) {
  const proc = spawn(argv[0], argv.slice(1), {
    cwd,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr.on('data', (c) => (stderr += c));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    if (await canConnect(port)) break;
    await sleep(50);
  }
  return {
    name,
    proc,
    port,
    stop: async () => {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = Date.now();
      while (proc.exitCode === null && proc.signalCode === null && Date.now() - t < 3000) await sleep(20);
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await sleep(100);
    },
  };
}

/** One wrk run, bounded by `timeout`; returns the WRKJSON numbers. */
export function wrk(url, { c = 8, d = 5, close = true } = {}) {
  const args = ['-s', 'KILL', String(d + 10), 'wrk', '-t1', `-c${c}`, `-d${d}s`, '-s', join(peers, 'report.lua')];
  if (close) args.push('-H', 'Connection: close');
  args.push(url);
  const out = execFileSync('timeout', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line.slice(8));
  r.errors = r.err_connect + r.err_read + r.err_write + r.err_status + r.err_timeout;
  return r;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Runs in the page: opens the Lessons tab and the zombies lesson, and walks to its first check
 * (skipping the `do` step), so the benchmark measures the app with a live check being judged
 * at every batch (`--lessons`). Resolves with the step the lesson stands at.
 */
export async function openLessonAtCheck() {
  const q = (id) => document.querySelector(`[data-testid="${id}"]`);
  const until = async (test, ms = 30_000) => {
    const end = performance.now() + ms;
    while (!test()) {
      if (performance.now() > end) throw new Error('the lesson did not open');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until(() => q('lessons-open'));
  q('lessons-open').click();
  await until(() => document.querySelector('[data-lesson="zombies"]'));
  document.querySelector('[data-lesson="zombies"]').click();
  await until(() => q('lesson-step'));
  for (let i = 0; i < 6 && q('lesson-step').dataset.kind !== 'check'; i++) {
    if (q('lesson-step').dataset.kind === 'predict') q('lesson-choice').click();
    await until(() => !q('lesson-next').disabled);
    q('lesson-next').click();
    await new Promise((r) => setTimeout(r, 100));
  }
  return `${q('lesson-step').dataset.step} (${q('lesson-check')?.dataset.state ?? 'no check'})`;
}
