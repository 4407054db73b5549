// Recording from the command line (issue 13): `serve --record` writes the run as it goes from
// the CLI's own process (the master is its child), `export har` passes the HAR 1.2 schema with
// one entry per request, `replay` prints the live run's human log again; damaged, newer and
// foreign files each get their one clear line.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Entry, Har } from 'har-format';
import { harErrors } from '../helpers/har';
import { readStat } from '../helpers/proc';
import { cli, root, runCli } from '../helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'forkscope-record-'));
const started = new Set<ChildProcess>();
afterEach(() => {
  for (const p of started) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  started.clear();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Live {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  until(pred: (out: string) => boolean, ms?: number): Promise<void>;
}

/** `forkscope serve … --record FILE` in its own process group, its human log collected. */
function serveRecording(args: string[]): Live {
  const proc = spawn(process.execPath, [cli, 'serve', ...args], { cwd: root, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  started.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    async until(pred, ms = 20_000) {
      const end = Date.now() + ms;
      while (!pred(out)) {
        if (Date.now() > end) throw new Error(`timed out; stdout:\n${out}\nstderr:\n${err}`);
        if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}; stderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length;

describe('serve --record, a burst from fire, then export har and replay', () => {
  const file = join(dir, 'r.forkscope.jsonl');
  let live = '';
  let recorderPid = 0;
  let masterPid = 0;
  let masterParent = 0;
  let stderr = '';

  beforeAll(async () => {
    const run = serveRecording(['hello', '--port', '0', '--record', file]);
    await run.until((o) => /Serving HTTP on http:\/\/127\.0\.0\.1:\d+/.test(o));
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(run.stdout())![1]);
    masterPid = Number(/pid (\d+);/.exec(run.stdout())![1]);
    recorderPid = run.proc.pid!;
    masterParent = readStat(masterPid)?.ppid ?? 0;
    const fired = await runCli(['fire', `http://127.0.0.1:${port}/hello`, '--clients', '10']);
    expect(fired.code).toBe(0);
    await run.until((o) => count(o, /#\d+ closed/g) === 10 && count(o, /reaped worker/g) === 10);
    // A stop signal to the recorder alone is passed on to the master, which stops gracefully.
    process.kill(recorderPid, 'SIGTERM');
    const [code] = (await once(run.proc, 'close')) as [number | null];
    expect(code).toBe(0);
    live = run.stdout();
    stderr = run.stderr();
  }, 90_000);

  it('the recorder is the CLI process; the master is its child and records nothing itself', () => {
    expect(masterPid).not.toBe(recorderPid);
    expect(masterParent).toBe(recorderPid);
  });

  it('--record says once that the file holds request and response bytes', () => {
    expect(count(stderr, /may include passwords, cookies or tokens/g)).toBe(1);
    expect(stderr).toMatch(/recorded \d+ events to .*r\.forkscope\.jsonl/);
  });

  it('the file is a header line, then the events in order', () => {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0]);
    expect(header).toMatchObject({ format: 'forkscope-recording', version: 1, recorder: 'serve', dropped: 0 });
    expect(header.settings).toMatchObject({ app: 'hello', model: 'fork', reap: 'loop', port: 0 });
    expect(header.platform.os).toBe(process.platform);
    expect(Number.isNaN(Date.parse(header.started))).toBe(false);
    const events = lines.slice(1).map((l) => JSON.parse(l));
    expect(events[0].type).toBe('listening');
    expect(events.at(-1).type).toBe('stopped');
    expect(events.filter((e) => e.type === 'request')).toHaveLength(10);
  });

  it('export har: valid HAR 1.2, one entry per request, each with its status', async () => {
    const r = await runCli(['export', 'har', file]);
    expect(r.code).toBe(0);
    const har = JSON.parse(r.stdout) as Har;
    expect(harErrors(har)).toEqual([]);
    expect(har.log.entries).toHaveLength(10);
    for (const e of har.log.entries as Entry[]) {
      expect(e.response.status).toBe(200);
      expect(e.request.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hello$/);
      expect(e.response.content.text).toBe('Hello world from a simple WSGI application!\n');
      for (const k of ['send', 'wait', 'receive'] as const) expect(e.timings[k]).toBeGreaterThanOrEqual(0);
      expect(e.time).toBeCloseTo((e.timings.send ?? 0) + e.timings.wait + e.timings.receive, 2);
    }
  });

  it('replay prints the same human log as the live run', async () => {
    const r = await runCli(['replay', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(live);
  });

  it('replay --json reprints the events; --from/--to keep a window', async () => {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(1);
    const all = await runCli(['replay', file, '--json']);
    expect(all.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(lines.map((l) => JSON.parse(l)));
    const ts = lines.map((l) => JSON.parse(l).t as number);
    const mid = ts[Math.floor(ts.length / 2)] / 1000;
    const part = await runCli(['replay', file, '--json', '--from', String(mid), '--to', String(mid + 0.05)]);
    const got = part.stdout.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l).t as number);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(ts.filter((t) => t >= mid * 1000 && t <= (mid + 0.05) * 1000));
  });

  it('a truncated copy replays up to the cut, says how much was readable, exits 0', async () => {
    const text = readFileSync(file, 'utf8');
    const cut = join(dir, 'cut.forkscope.jsonl');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)));
    const r = await runCli(['replay', cut, '--json']);
    expect(r.code).toBe(0);
    const n = r.stdout.trimEnd().split('\n').length;
    expect(r.stderr.trim()).toBe(`forkscope: ${cut} ends in the middle of line ${n + 2} (cut off while it was written?): read ${n} events, up to ${(JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!).t / 1000).toFixed(3)} s`);
    const har = await runCli(['export', 'har', cut]);
    expect(har.code).toBe(0);
    expect(harErrors(JSON.parse(har.stdout))).toEqual([]);
  });

  it('a corrupt line: the events before it, one line saying where, exit 1', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[5] = lines[5].slice(0, 10) + '\u0000\u0000' + lines[5].slice(20);
    const bad = join(dir, 'corrupt.forkscope.jsonl');
    writeFileSync(bad, lines.join('\n'));
    const r = await runCli(['replay', bad, '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(r.stderr.trim()).toMatch(new RegExp(`^forkscope: line 6 of ${bad} is not an event \\(the file is damaged there\\): read the 4 events before it, up to \\d+\\.\\d{3} s, and nothing after it$`));
  });
});

describe('files that are not readable recordings', () => {
  const cases: [string, string, RegExp][] = [
    ['newer', `${JSON.stringify({ format: 'forkscope-recording', version: 2, forkscope: '2.0.0' })}\n{}\n`, /was written by forkscope 2\.0\.0 in recording format version 2; this forkscope reads format version 1 at most — update forkscope to open it$/],
    ['serve --json output', '{"type":"listening","t":0,"pid":1,"host":"127.0.0.1","port":1,"backlog":5,"model":"fork","reap":"loop","app":"hello","origin":"1"}\n', /is not a recording: it holds forkscope events without a recording header .* make recordings with --record FILE$/],
    ['foreign', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', /is not a forkscope recording: its first line is not a recording header/],
    ['empty', '', /is empty: a recording starts with a header line/],
  ];
  it.each(cases)('%s → one clear line, exit 2, nothing on stdout', async (name, text, message) => {
    const f = join(dir, `${name.replace(/\W+/g, '-')}.jsonl`);
    writeFileSync(f, text);
    for (const args of [['replay', f], ['export', 'har', f]]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
  });

  it('a missing file and an unknown export format', async () => {
    const r = await runCli(['replay', join(dir, 'missing.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/cannot read .*missing\.jsonl: ENOENT$/);
    const x = await runCli(['export', 'csv', join(dir, 'missing.jsonl')]);
    expect(x.code).toBe(2);
    expect(x.stderr.trim()).toBe("forkscope: cannot export 'csv': the formats are har");
  });
});

describe('--record: where it cannot write, and the client side', () => {
  it('a folder that does not exist: one line, exit 2, no server started', async () => {
    const r = await runCli(['serve', 'hello', '--port', '0', '--record', '/nonexistent-dir/r.jsonl'], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('forkscope: cannot write the recording /nonexistent-dir/r.jsonl: ENOENT — check that its folder exists and that you may write there');
    expect(r.stdout).toBe('');
  });

  it('fire --record: the client\'s events, exported as HAR from the client\'s side', async () => {
    const run = serveRecording(['hello', '--port', '0', '--model', 'prefork', '--record', join(dir, 's.jsonl'), '--json']);
    await run.until((o) => o.includes('"type":"listening"'));
    const port = Number(/"port":(\d+)/.exec(run.stdout())![1]);
    const f = join(dir, 'fire.forkscope.jsonl');
    const fired = await runCli(['fire', `http://127.0.0.1:${port}/hello?n=1`, '--clients', '3', '--record', f]);
    expect(fired.code).toBe(0);
    expect(fired.stderr).toMatch(/may include passwords/);
    process.kill(run.proc.pid!, 'SIGTERM');
    await once(run.proc, 'exit');
    const header = JSON.parse(readFileSync(f, 'utf8').split('\n')[0]);
    expect(header).toMatchObject({ recorder: 'fire', settings: null, client: { url: `http://127.0.0.1:${port}/hello?n=1`, clients: 3 } });
    const r = await runCli(['export', 'har', f]);
    const har = JSON.parse(r.stdout) as Har;
    expect(harErrors(har)).toEqual([]);
    expect(har.log.entries.map((e) => e.response.status)).toEqual([200, 200, 200]);
    expect(har.log.entries[0].request.queryString).toEqual([{ name: 'n', value: '1' }]);
    expect(har.log.entries.every((e) => (e.timings.connect ?? -1) >= 0)).toBe(true);
    // --json with --record passes the master's lines through unchanged.
    expect(run.stdout().trimEnd().split('\n')).toEqual(readFileSync(join(dir, 's.jsonl'), 'utf8').trimEnd().split('\n').slice(1));
    const replay = await runCli(['replay', f]);
    expect(count(replay.stdout, /\* ── client connection \d ──/g)).toBe(3);
    expect(count(replay.stdout, /< HTTP\/1\.1 200 OK/g)).toBe(3);
  });
});
