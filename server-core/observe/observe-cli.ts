// `forkscope observe [options] -- COMMAND [ARGS…]` and `forkscope observe --pid N`: flags →
// ObserveOptions (one clear line and exit 2 for anything wrong), then observe.ts watches.
// observe.ts is imported only when the command runs, so `forkscope --help` needs no libc.
import type { Command } from 'commander';
import type { ContractEvent } from '../events';
import { eventJson } from '../event-json';
import { BatchedOutput } from '../output';
import { int, seconds } from '../cli-numbers';
import { RANGES } from '../ranges';
import { O } from './strings';

interface Flags {
  pid?: number;
  port?: number;
  listenTimeout: number;
  cwd?: string;
  json: boolean;
  trace: boolean;
}

export function registerObserve(program: Command): void {
  program
    .command('observe')
    .description('watch a server you wrote: its processes, zombies, accept queue, connections and who holds them, SIGCHLD (read from the kernel)')
    .argument('[command...]', 'the server to start, after --: forkscope observe -- python3 server.py')
    .option('--pid <n>', 'watch a server already running (yours); it is never signalled', int('--pid', RANGES.pid.min, RANGES.pid.max))
    .option('--port <n>', 'the port to watch when the server listens on several', int('--port', 1, RANGES.port.max))
    .option('--listen-timeout <s>', 'how long to wait for the server to listen', seconds('--listen-timeout', RANGES.listenTimeoutS), 10)
    .option('--cwd <dir>', 'the directory to start the command in')
    .option('--no-trace', 'do not trace SIGCHLD and wait() even where root allows')
    .option('--json', 'one JSON event per line on stdout (the server\'s own output on stderr, prefixed)', false)
    .addHelpText('after', '\nExamples:\n  forkscope observe -- python3 examples/fork-no-reap.py\n  forkscope observe --pid 12345 --json')
    .action(async (command: string[], flags: Flags) => {
      if (process.platform === 'win32' || process.platform === 'darwin') fail(O.needsLinux);
      if ((command.length > 0) === (flags.pid !== undefined)) fail(O.commandOrPid);
      await run(command, flags);
    });
}

async function run(command: string[], flags: Flags): Promise<void> {
  const { Watch, ObserveError } = await import('./observe');
  const { formatObserved } = await import('./log');
  let outputGone = false;
  const stdout = new BatchedOutput((text) => {
    if (!outputGone) process.stdout.write(text);
  });
  let server = 0;
  const sink = (e: ContractEvent): void => {
    if (e.type === 'output') {
      // The server's own words: on our stderr when stdout carries events; else where it wrote them.
      const line = `${formatObserved(e, server).join('\n')}\n`;
      if (flags.json || e.stream === 'stderr') process.stderr.write(line);
      else stdout.add(line);
    }
    if (flags.json) stdout.add(`${eventJson(e)}\n`);
    else if (e.type !== 'output') {
      const lines = formatObserved(e, server);
      if (lines.length) stdout.add(`${lines.join('\n')}\n`);
    }
  };

  const early = new AbortController();
  let watch: Awaited<ReturnType<typeof Watch.begin>> | null = null;
  let stopping = false;
  const stop = (reason: string): void => {
    if (!watch) {
      early.abort(reason);
      return;
    }
    if (stopping) return;
    stopping = true;
    void watch.stop(reason);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stop(sig));
  process.stdout.on('error', () => {
    outputGone = true;
    stop('stdout closed');
  });

  try {
    watch = await Watch.begin(
      {
        ...(command.length ? { command, cwd: flags.cwd } : { pid: flags.pid }),
        port: flags.port,
        listenTimeoutMs: Math.round(flags.listenTimeout * 1000),
        trace: flags.trace,
        signal: early.signal,
      },
      sink,
    );
  } catch (err) {
    stdout.flush();
    if (err instanceof ObserveError) fail(err.message, err.exitCode);
    fail(O.unexpected(err), 1);
  }
  server = watch.pid;
  const code = await watch.ended;
  stdout.flush();
  await new Promise<void>((r) => (outputGone ? r() : process.stdout.write('', () => r())));
  process.exit(code);
}

function fail(message: string, code = 2): never {
  process.stderr.write(`${O.prefix}: ${message}\n`);
  process.exit(code);
}
