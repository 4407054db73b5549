// Bad input on the command line (issue 2): a wrong flag, a taken port, an app that cannot
// load — each gets one clear line on stderr saying what is wrong and how to fix it, exit 2,
// and never a stack trace.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server';

/** The line that explains, and proof there is no stack trace behind it. */
function explained(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim());
  expect(lines.some((l) => /^\s+at .+:\d+/.test(l))).toBe(false);
  // commander may add its "(run with --help for usage)" hint after the one line.
  expect(lines.filter((l) => !/--help/.test(l))).toHaveLength(1);
  return lines[0];
}

describe('forkscope serve: usage errors', () => {
  it.each([
    [['--port', 'abc'], /--port must be a whole number from 0 to 65535, not 'abc'/],
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--backlog', '1.5'], /--backlog must be a whole number/],
    [['--model', 'threads'], /--model must be one of iterative, fork, prefork, not 'threads'/],
    [['--interface', 'cgi'], /--interface must be one of wsgi, fetch, node/],
    [['--reap', 'sometimes'], /--reap must be one of none, wait, loop/],
    [['--workers', '0'], /--workers must be a whole number from 1 to 64/],
    [['--read-timeout', '0'], /--read-timeout must be a number of seconds from 0\.001 to 3600/],
    [['--read-timeout', '0.0001'], /--read-timeout must be a number of seconds from 0\.001 to 3600/],
    [['--max-body', 'lots'], /--max-body must be a byte count/],
    [['--nofile', '3'], /--nofile must be a whole number from 16/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['hello', 'extra'], /too many arguments|excess|unexpected/i],
  ])('serve %j → one line, exit 2', async (args, want) => {
    const { code, stderr, stdout } = await runCli(['serve', ...args, '--json']);
    expect(code).toBe(2);
    expect(explained(stderr)).toMatch(want);
    expect(stdout).toBe('');
  });

  describe('a port that is taken', () => {
    let other: Server;
    let port: number;
    beforeAll(async () => {
      other = createServer();
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
      port = (other.address() as { port: number }).port;
    });
    afterAll(() => other.close());

    it('says so, and how to pick another, exit 2', async () => {
      const { code, stderr, stdout } = await runCli(['serve', 'hello', '--model', 'iterative', '--port', String(port), '--json']);
      expect(code).toBe(2);
      expect(explained(stderr)).toBe(`forkscope: port ${port} is in use — pick another with --port, or --port 0 for any free port`);
      expect(stdout).toBe('');
    });
  });

  it('an app that cannot be loaded: one line naming it, exit 2', async () => {
    const { code, stderr, stdout } = await runCli(['serve', 'no/such/app.mjs', '--port', '0', '--json']);
    expect(code).toBe(2);
    expect(explained(stderr)).toMatch(/no\/such\/app\.mjs/);
    expect(stdout).toBe('');
  });

  it('a host this machine does not have: one line, exit 2', async () => {
    const { code, stderr } = await runCli(['serve', 'hello', '--host', '192.0.2.1', '--port', '0']);
    expect(code).toBe(2);
    expect(explained(stderr)).toMatch(/192\.0\.2\.1 is not an address of this machine/);
  });

  it('--help lists every flag and exits 0', async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--model', '--host', '--port', '--backlog', '--interface', '--reap', '--workers', '--max-requests', '--parent-keeps-conn', '--child-keeps-listener', '--nofile', '--max-zombies', '--worker-timeout', '--keep-alive', '--read-timeout', '--max-body', '--transcript-cap', '--json']) {
      expect(stdout).toContain(flag);
    }
  });
});
