// `forkscope serve [APP] [options]`: flags → ServerOptions, validated here (one clear line
// and exit 2 for anything wrong), then serve.ts runs the server. serve.ts is imported only
// when the command runs, so `forkscope --help` works everywhere, even without libc.
import { RANGES } from './ranges';
import { int, seconds } from './cli-numbers';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Interface, Model, ReapPolicy } from './events';
import { defaultLimits } from './http/types';
import { defaultModel } from './models/default';
import type { ServerOptions } from './models/types';
import type { Settings } from './recording/format';
import { R } from './recording/strings';
import { S } from './strings';

const MODELS: readonly Model[] = ['iterative', 'fork', 'prefork'];
const INTERFACES: readonly Interface[] = ['wsgi', 'fetch', 'node'];
const REAPS: readonly ReapPolicy[] = ['none', 'wait', 'loop'];

/** Bytes, with an optional k or m suffix (KiB, MiB). */
function bytes(flag: string, max: number) {
  return (value: string): number => {
    const m = /^(\d+)([km]?)i?b?$/i.exec(value.trim());
    const n = m ? Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1024 : m[2].toLowerCase() === 'm' ? 1024 * 1024 : 1) : NaN;
    if (!Number.isSafeInteger(n) || n > max) {
      throw new InvalidArgumentError(S.badNumber(flag, value, `a byte count from 0 to ${max} (k and m suffixes allowed)`));
    }
    return n;
  };
}

function choice<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(S.badChoice(flag, value, choices));
    return value as T;
  };
}

interface Flags {
  model: Model;
  host: string;
  port: number;
  backlog: number;
  interface: Interface;
  reap: ReapPolicy;
  workers: number;
  maxRequests: number;
  workerConnections: number;
  parentKeepsConn: boolean;
  childKeepsListener: boolean;
  nofile?: number;
  maxZombies: number;
  workerTimeout: number;
  keepAlive: boolean;
  readTimeout: number;
  bodyTimeout: number;
  maxBody: number;
  transcriptCap: number;
  calls: boolean;
  json: boolean;
  record?: string;
}

/** commander option name → ServerOptions key, for "set explicitly" notices. */
const OPTION_KEYS: Record<string, keyof ServerOptions> = {
  reap: 'reap',
  workers: 'workers',
  maxRequests: 'maxRequests',
  workerConnections: 'workerConnections',
  parentKeepsConn: 'parentKeepsConn',
  childKeepsListener: 'childKeepsListener',
  maxZombies: 'maxZombies',
  workerTimeout: 'workerTimeoutS',
};

/** `argv`: the command line as main() got it, for the master a recording run starts. */
export function registerServe(program: Command, argv: readonly string[] = []): void {
  program
    .command('serve')
    .description('run a real HTTP server that narrates every step (accept queue, workers, signals, zombies)')
    .argument('[app]', "the app: a built-in name (hello, slow, echo, stream, crash) or path/to/module[:callable]", 'hello')
    .addOption(new Option('--model <model>', `process model: ${MODELS.join(' | ')}`).argParser(choice('--model', MODELS)).default(defaultModel))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one and reports it)', int('--port', RANGES.port.min, RANGES.port.max), 8888)
    .option('--backlog <n>', 'listen() backlog: connections the kernel queues until accept (it holds backlog + 1)', int('--backlog', RANGES.backlog.min, RANGES.backlog.max), 5)
    .addOption(new Option('--interface <style>', `app style: ${INTERFACES.join(' | ')}`).argParser(choice('--interface', INTERFACES)).default('wsgi'))
    .addOption(new Option('--reap <policy>', `reaping: ${REAPS.join(' | ')} (fork, prefork)`).argParser(choice('--reap', REAPS)).default('loop'))
    .option('--workers <n>', 'prefork: number of workers', int('--workers', RANGES.workers.min, RANGES.workers.max), 2)
    .option('--max-requests <n>', 'prefork: a worker exits after this many requests (0 = unlimited)', int('--max-requests', RANGES.maxRequests.min, RANGES.maxRequests.max), 0)
    .option(
      '--worker-connections <n>',
      "prefork: connections a worker serves at once (1: one at a time, as gunicorn's sync workers; more: the asynchronous variant)",
      int('--worker-connections', RANGES.workerConnections.min, RANGES.workerConnections.max),
      1,
    )
    .option('--parent-keeps-conn', "fork: the master does not close its copy of each connection (the tutorial's descriptor leak)", false)
    .option('--child-keeps-listener', 'fork: workers keep the listening socket open', false)
    .option('--nofile <n>', "the master's file-descriptor limit (RLIMIT_NOFILE)", int('--nofile', RANGES.nofile.min, RANGES.nofile.max))
    .option('--max-zombies <n>', 'stop accepting when this many zombies exist (safety cap)', int('--max-zombies', RANGES.maxZombies.min, RANGES.maxZombies.max), 500)
    .option('--worker-timeout <s>', 'a worker still running after this gets SIGTERM, then SIGKILL', seconds('--worker-timeout', RANGES.workerTimeoutS), 30)
    .option('--keep-alive', 'keep connections open for further requests (off, as in the tutorial)', false)
    .option(
      '--read-timeout <s>',
      "a request's line and headers must arrive within this of its start (else 408); also how long a kept connection may idle and a client may take none of an answer",
      seconds('--read-timeout', RANGES.readTimeoutS),
      defaultLimits.readTimeoutMs / 1000,
    )
    .option('--body-timeout <s>', 'a whole request, body included, must arrive within this of its start (else 408)', seconds('--body-timeout', RANGES.bodyTimeoutS), defaultLimits.bodyTimeoutMs / 1000)
    .option('--max-body <bytes>', 'larger request bodies get 413', bytes('--max-body', 1 << 30), defaultLimits.maxBodyBytes)
    .option('--transcript-cap <bytes>', 'raw bytes recorded per direction per connection', bytes('--transcript-cap', 16 << 20), defaultLimits.transcriptCap)
    .option('--calls', "narrate the server's own system calls, strace-style (socket, bind, listen, accept4, recv, send, close…)", false)
    .option('--json', 'one JSON event per line on stdout (diagnostics on stderr)', false)
    .option('--record <file>', R.help.record)
    .action(async (app: string, flags: Flags, cmd: Command) => {
      if (process.platform === 'win32') fail(S.needsUnix);
      if (flags.record !== undefined) {
        // The recorder is this process; the master is started as its child, without --record.
        const { recordServe } = await import('./recording/serve-recorder');
        recordServe({ file: flags.record, json: flags.json, args: masterArgs(argv), settings: settingsOf(app, flags) }, fail);
        return;
      }
      const { serve, UsageError } = await import('./serve');
      const opts: ServerOptions = {
        app,
        interface: flags.interface,
        model: flags.model,
        host: flags.host,
        port: flags.port,
        backlog: flags.backlog,
        reap: flags.reap,
        workers: flags.workers,
        maxRequests: flags.maxRequests,
        workerConnections: flags.workerConnections,
        parentKeepsConn: flags.parentKeepsConn,
        childKeepsListener: flags.childKeepsListener,
        nofile: flags.nofile,
        maxZombies: flags.maxZombies,
        workerTimeoutS: flags.workerTimeout,
        keepAlive: flags.keepAlive,
        calls: flags.calls,
        limits: {
          ...defaultLimits,
          readTimeoutMs: Math.round(flags.readTimeout * 1000),
          bodyTimeoutMs: Math.round(flags.bodyTimeout * 1000),
          maxBodyBytes: flags.maxBody,
          transcriptCap: flags.transcriptCap,
        },
      };
      const explicit = new Set<keyof ServerOptions>();
      for (const [name, key] of Object.entries(OPTION_KEYS)) if (cmd.getOptionValueSource(name) === 'cli') explicit.add(key);
      try {
        await serve(opts, { json: flags.json, explicit });
      } catch (err) {
        if (err instanceof UsageError) fail(err.message);
        fail(S.unexpected(err), 1);
      }
    });
}

/** `serve`'s arguments as given, less the command name, --record and --json. */
export function masterArgs(rawArgs: readonly string[]): string[] {
  const args = [...rawArgs];
  args.splice(args.indexOf('serve'), 1);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--record') i++;
    else if (args[i].startsWith('--record=') || args[i] === '--json') continue;
    else out.push(args[i]);
  }
  return out;
}

/** The server's settings for a recording's header, named as the app's RunConfig names them. */
function settingsOf(app: string, f: Flags): Settings {
  return {
    app,
    interface: f.interface,
    model: f.model,
    host: f.host,
    port: f.port,
    backlog: f.backlog,
    reap: f.reap,
    workers: f.workers,
    maxRequests: f.maxRequests,
    parentKeepsConn: f.parentKeepsConn,
    childKeepsListener: f.childKeepsListener,
    nofile: f.nofile,
    keepAlive: f.keepAlive,
    maxZombies: f.maxZombies,
    workerTimeoutS: f.workerTimeout,
    readTimeoutS: f.readTimeout,
    maxBodyBytes: f.maxBody,
    transcriptCap: f.transcriptCap,
  };
}

function fail(message: string, code = 2): never {
  process.stderr.write(`forkscope: ${message}\n`);
  process.exit(code);
}
