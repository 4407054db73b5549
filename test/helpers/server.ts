// Starts a real `forkscope serve --json` (or `forkscope observe --json`) in its own process
// group, collects its events, and kills the whole group at the end. Every integration test
// goes through this.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, ContractEvent, ForkscopeEvent } from '../../server-core/events';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cli = join(root, 'bin', 'forkscope.mjs');

type Of<E extends ContractEvent, T extends E['type']> = Extract<E, { type: T }>;

export interface Run<E extends ContractEvent> {
  proc: ChildProcess;
  pid: number;
  port: number;
  events: E[];
  stderr: () => string;
  /** Resolves with the first event (already seen or future) that matches. */
  waitFor<T extends E['type']>(type: T, pred?: (e: Of<E, T>) => boolean, timeoutMs?: number): Promise<Of<E, T>>;
  /** Resolves when `count` events of a type have been seen. */
  waitForCount(type: E['type'], count: number, timeoutMs?: number): Promise<void>;
  of<T extends E['type']>(type: T): Of<E, T>[];
  send(cmd: Command): void;
  /** SIGTERM, wait for exit; returns the exit code/signal. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the whole process group (cleanup; safe to call twice); with observe, the observed server's group too. */
  kill(): void;
}

export type ServerRun = Run<ForkscopeEvent>;
/** `forkscope observe`: `port` is the observed server's, `server` its pid (once `observing` came). */
export type ObserveRun = Run<ContractEvent> & { server: number };

const running = new Set<{ kill(): void }>();

/** Kills every server a test file started (call from afterEach/afterAll). */
export function killAllServers(): void {
  for (const run of running) run.kill();
  running.clear();
}

/**
 * `wrap`: a command that execs the server in its place (e.g. setpriv to drop to another user),
 * so the pid is still the master's.
 */
export async function startServer(args: string[], opts: { env?: NodeJS.ProcessEnv; waitListening?: boolean; wrap?: string[] } = {}): Promise<ServerRun> {
  const run = spawnCli<ForkscopeEvent>(['serve', ...args, '--json'], opts);
  if (opts.waitListening !== false) {
    const listening = await run.waitFor('listening');
    run.port = listening.port;
  }
  return run;
}

/**
 * `forkscope observe --json ARGS…` (e.g. ['--', python3, 'examples/x.py', '0']). Resolves once it
 * says `observing` (unless waitObserving is false: for runs that are meant to fail).
 */
export async function startObserve(args: string[], opts: { env?: NodeJS.ProcessEnv; waitObserving?: boolean; wrap?: string[] } = {}): Promise<ObserveRun> {
  const run = spawnCli<ContractEvent>(['observe', '--json', ...args], opts) as ObserveRun;
  run.server = 0;
  const kill = run.kill;
  run.kill = () => {
    // The observed server runs in a process group of its own.
    const started = run.events.find((e) => e.type === 'observing');
    if (started && 'command' in started && started.command) killGroup(started.pid);
    kill();
  };
  if (opts.waitObserving !== false) {
    const observing = await run.waitFor('observing');
    run.port = observing.port;
    run.server = observing.pid;
  }
  return run;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function spawnCli<E extends ContractEvent>(cliArgs: string[], opts: { env?: NodeJS.ProcessEnv; wrap?: string[] }): Run<E> {
  const argv = [process.execPath, cli, ...cliArgs];
  const [command, ...rest] = opts.wrap?.length ? [...opts.wrap, ...argv] : argv;
  const proc = spawn(command, rest, {
    cwd: root,
    detached: true, // own process group: kill(-pid) ends the master and every worker
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  const events: E[] = [];
  const waiters = new Set<() => void>();
  let err = '';
  let buf = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line) as E);
      } catch {
        err += `[non-JSON stdout] ${line}\n`;
      }
    }
    for (const w of [...waiters]) w();
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (err += c));
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let dead = false;
  void exited.then(() => {
    dead = true;
    for (const w of [...waiters]) w();
  });

  const run: Run<E> = {
    proc,
    pid: proc.pid!,
    port: 0,
    events,
    stderr: () => err,
    of: <T extends E['type']>(type: T) => events.filter((e) => e.type === type) as Of<E, T>[],
    waitFor<T extends E['type']>(type: T, pred?: (e: Of<E, T>) => boolean, timeoutMs = 15_000): Promise<Of<E, T>> {
      return new Promise((res, rej) => {
        const check = (): boolean => {
          const hit = events.find((e) => e.type === type && (!pred || pred(e as Of<E, T>)));
          if (hit) {
            done();
            res(hit as Of<E, T>);
            return true;
          }
          if (dead) {
            done();
            rej(new Error(`server exited before a '${type}' event; stderr:\n${err}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          done();
          rej(new Error(`timed out after ${timeoutMs} ms waiting for '${type}'; stderr:\n${err}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        if (!check()) waiters.add(check);
      });
    },
    async waitForCount(type, count, timeoutMs = 15_000) {
      // Count the events themselves: waitFor re-scans the whole list on every new chunk, so a
      // counter bumped inside the predicate would count the same events again and again.
      const seen = (): number => events.filter((x) => x.type === type).length;
      await run.waitFor(type, () => seen() >= count, timeoutMs).catch((e: Error) => {
        throw new Error(`${e.message}\n(saw ${seen()} of ${count} '${type}')`);
      });
    },
    send(cmd) {
      proc.stdin!.write(`${JSON.stringify(cmd)}\n`);
    },
    async stop(timeoutMs = 5_000) {
      if (dead) {
        const [code, signal] = await exited;
        return { code, signal };
      }
      proc.kill('SIGTERM');
      const timer = setTimeout(() => run.kill(), timeoutMs);
      const [code, signal] = await exited;
      clearTimeout(timer);
      running.delete(run);
      return { code, signal };
    },
    kill() {
      killGroup(proc.pid!);
    },
  };
  running.add(run);
  return run;
}

/** Runs `forkscope <args>` to completion (for usage-error and client tests). */
export async function runCli(args: string[], opts: { input?: string; timeoutMs?: number; wrap?: string[] } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, ...rest] = [...(opts.wrap ?? []), process.execPath, cli, ...args];
  const proc = spawn(command, rest, { cwd: root, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  proc.stdin!.end(opts.input ?? '');
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, opts.timeoutMs ?? 30_000);
  // 'close', not 'exit': the last lines of its stdout and stderr may still be on their way at exit.
  const [code] = (await once(proc, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** True when `port` on 127.0.0.1 can be bound right now (nobody holds it). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
