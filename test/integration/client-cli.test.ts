// `forkscope fire` usage errors: one clear line on stderr, exit 2, no stack trace, no traffic.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server';

const cases: [string, string[], RegExp][] = [
  ['zero clients', ['--clients', '0'], /--clients needs a whole number ≥ 1, got '0'/],
  ['a word for --conns', ['--conns', 'many'], /--conns needs a whole number/],
  ['negative --slow', ['--slow', '-5'], /--slow/],
  ['a header without a colon', ['--header', 'nocolon'], /--header needs 'Name: value'/],
  ['a remote target', ['http://192.0.2.7:8888/'], /not a loopback address.*--allow-remote/],
  ['https', ['https://127.0.0.1:8888/'], /only plain http:\/\//],
  ['a missing --raw file', ['--raw', '/nonexistent/forkscope-raw'], /cannot read --raw \/nonexistent\/forkscope-raw: ENOENT/],
  ['--slow with --send-nothing', ['--slow', '5', '--send-nothing'], /either --slow or --send-nothing/],
  ['--raw with --data', ['--raw', '-', '--data', 'x'], /either --raw or --data/],
  ['an unknown flag', ['--bogus'], /unknown option '--bogus'/],
];

describe('forkscope fire: usage errors', () => {
  it.each(cases)('%s → exit 2 with one clear line', async (_name, args, message) => {
    const r = await runCli(['fire', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const first = r.stderr.split('\n')[0];
    expect(first).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('an empty --raw input is refused rather than sent', async () => {
    const r = await runCli(['fire', '--raw', '-'], { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--raw - is empty/);
  });

  it('--help describes every flag', async () => {
    const r = await runCli(['fire', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--clients', '--conns', '--max-conns', '--rate', '--method', '--header', '--data', '--raw', '--slow', '--send-nothing', '--hold', '--timeout', '--json', '--allow-remote']) {
      expect(r.stdout).toContain(flag);
    }
  });
});
