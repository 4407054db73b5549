// Acceptance 6 (issue 2): SIGTERM stops the server cleanly — exit 0 within 1 s, the
// listening socket closed, so the port can be bound again at once. Also while a slow
// request is being served, and for SIGINT.
import { connect, createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/proc';
import { killAllServers, startServer, type ServerRun } from '../helpers/server';

afterAll(() => killAllServers());

function bindAgain(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const sock = connect(port, '127.0.0.1', () => sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    sock.setEncoding('latin1');
    sock.on('data', (c: string) => (data += c));
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
  });
}

async function stopTimed(run: ServerRun, signal: NodeJS.Signals): Promise<{ ms: number; code: number | null }> {
  const exited = new Promise<number | null>((resolve) => run.proc.once('exit', (code) => resolve(code)));
  const t0 = performance.now();
  run.proc.kill(signal);
  const code = await exited;
  return { ms: performance.now() - t0, code };
}

describe.each(['iterative', 'fork'])('stopping (--model %s)', (model) => {
  it('SIGTERM: exit 0 within 1 s, and the port can be bound again at once', async () => {
    const run = await startServer(['hello', '--model', model, '--port', '0']);
    expect(await get(run.port, '/hello')).toMatch(/^HTTP\/1\.1 200/);
    await run.waitFor('close');
    const { ms, code } = await stopTimed(run, 'SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(1000);
    await bindAgain(run.port);
    expect(run.of('stopping')[0].reason).toBe('SIGTERM');
    expect(run.events.at(-1)).toMatchObject({ type: 'stopped', code: 0 });
    expect(isAlive(run.pid)).toBe(false);
  });
});

describe('stopping the iterative model', () => {
  it('SIGTERM while a slow request is being served: still exit 0 within 1 s', async () => {
    const run = await startServer(['slow', '--model', 'iterative', '--port', '0']);
    const pending = get(run.port, '/slow?ms=5000').catch(() => '');
    await run.waitFor('request');
    const { ms, code } = await stopTimed(run, 'SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(1000);
    await pending;
    await bindAgain(run.port);
  });

  it('SIGINT (Ctrl-C) stops it the same way', async () => {
    const run = await startServer(['hello', '--model', 'iterative', '--port', '0']);
    const { ms, code } = await stopTimed(run, 'SIGINT');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(1000);
    expect(run.of('stopping')[0].reason).toBe('SIGINT');
    await bindAgain(run.port);
  });
});
