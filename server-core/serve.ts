// One run of the server, in order: listener → app → `listening` → model.start(); then
// signals and stdin commands until a stop: `stopping` → model.stop() → socket closed →
// `stopped` → exit 0. Anything a person got wrong becomes a UsageError (one line, exit 2).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadApp } from './app-loader';
import { getOrigin } from './clock';
import { nofileNeeds } from './descriptors';
import { makeEmit, type Emit } from './emit';
import type { Command } from './events';
import type { GatewayInfo, LoadedApp } from './http/types';
import { openListener, type Listener } from './listener';
import { humanSink, jsonSink } from './log';
import { modelFactory } from './models';
import { BatchedOutput } from './output';
import type { ServerModel, ServerOptions } from './models/types';
import { QueueProbe } from './queue-probe';
import { oneWaitingThread } from './sigchld-eintr';
import { S } from './strings';
import { traceCalls } from './sys/calls';
import { SysError } from './sys/libc';
import { poller } from './sys/poller';
import { setNofile } from './sys/rlimit';
import { inForeground } from './sys/tty';

/** A mistake in what the person asked for: printed as one line, exit code 2. */
export class UsageError extends Error {}

export interface ServeOutput {
  /** One JSON event per line on stdout (else the human log). */
  json: boolean;
  /** Option names (ServerOptions keys) the person set explicitly, for "has no effect" notices. */
  explicit?: ReadonlySet<keyof ServerOptions>;
  /** Read run-time commands from stdin (default true). */
  commands?: boolean;
}

/** How long model.stop() may take before the master exits anyway. */
const STOP_LIMIT_MS = 8_000;

/** Options that only some models use: flag name and the models it is for. */
const MODEL_ONLY: [keyof ServerOptions, string, ServerOptions['model'][]][] = [
  ['reap', '--reap', ['fork', 'prefork']],
  ['workers', '--workers', ['prefork']],
  ['maxRequests', '--max-requests', ['prefork']],
  ['workerConnections', '--worker-connections', ['prefork']],
  ['parentKeepsConn', '--parent-keeps-conn', ['fork']],
  ['childKeepsListener', '--child-keeps-listener', ['fork']],
  ['maxZombies', '--max-zombies', ['fork', 'prefork']],
  ['workerTimeoutS', '--worker-timeout', ['fork', 'prefork']],
];

/** Runs the server until it is stopped; the process exits at the end. Throws UsageError before listening. */
export async function serve(opts: ServerOptions, out: ServeOutput): Promise<void> {
  if (process.platform === 'win32') throw new UsageError(S.needsUnix);
  const factory = modelFactory(opts.model);
  if (!factory) throw new UsageError(S.modelNotAvailable(opts.model));
  // The fork model's master waits for connections while its children end: SIGCHLD must
  // interrupt that wait (the EINTR lesson). Returns here only once that is so.
  if (opts.model === 'fork') oneWaitingThread();
  // When whoever reads our stdout goes away (EPIPE), stop quietly instead of failing on every event.
  let outputGone = false;
  const stdout = new BatchedOutput((text) => {
    if (!outputGone) process.stdout.write(text);
  });
  const write = (text: string | Buffer): void => stdout.add(text);
  const sink = out.json ? jsonSink(write) : humanSink(write);
  const emit = makeEmit(sink);

  // --calls: every system call from here on is told (socket, bind, listen, accept4, recv…).
  if (opts.calls) traceCalls((c) => emit({ type: 'call', ...c }));
  const host = await resolveHost(opts.host);
  const onEintr = (call: string): void => emit({ type: 'eintr', call, restarted: true });
  const listener = listenOrExplain(host, opts.port, opts.backlog, onEintr);
  let app: LoadedApp;
  try {
    app = await loadApp(opts.app, opts.interface, gatewayInfo(opts, listener));
  } catch (err) {
    listener.close();
    throw new UsageError(S.appFailed(err));
  }
  if (opts.nofile !== undefined) limitFds(opts.nofile, opts, listener);

  let stopping = false;
  const probe = new QueueProbe({
    sample: () => listener.queue(),
    report: (q) => emit({ type: 'queue', ...q }),
    onUnavailable: (err) => {
      if (!stopping) emit({ type: 'notice', code: 'NO_QUEUE', message: S.queueUnavailable(err) });
    },
  });
  // Signals first: a SIGINT that lands right after `listening` must not kill us outright.
  let model: ServerModel | undefined;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    emit({ type: 'stopping', reason });
    probe.stop();
    const code = model ? await stopModel(model, reason, emit) : 0;
    listener.close();
    emit({ type: 'stopped', code });
    stdout.flush();
    await flushStdout();
    process.exit(code);
  };
  process.stdout.on('error', () => {
    outputGone = true;
    void stop(S.reasonOutputGone);
  });
  onStopSignals(stop, () => {
    listener.close();
    process.exit(1);
  }, () => stopping);
  onUncaught(emit);

  const { port, backlog } = listener;
  emit({ type: 'listening', host: listener.host, port, backlog, model: opts.model, reap: opts.reap, app: opts.app, origin: getOrigin() });
  if (opts.nofile !== undefined) emit({ type: 'notice', code: 'NOFILE', message: S.nofileSet(opts.nofile) });
  if (opts.model === 'prefork' && opts.keepAlive && opts.workerConnections === 1) {
    emit({ type: 'notice', code: 'ONE_CONNECTION_AT_A_TIME', message: S.oneConnectionAtATime });
  }
  if (!isLoopback(listener.host)) emit({ type: 'notice', code: 'NOT_LOOPBACK', message: S.notLoopback(listener.host) });
  noticeUnusedOptions(opts, out.explicit, emit);

  // forward: worker events already carry their own pid and t (fork, prefork).
  model = factory({ opts, listener, emit, app, probe, forward: sink, forwardLines: out.json ? write : undefined });
  if (out.commands !== false) readCommands(emit, model, stop);
  await model.start();
  if (!stopping) probe.start();
}

// ── start-up ─────────────────────────────────────────────────────────────────

async function resolveHost(host: string): Promise<string> {
  if (isIP(host)) return host;
  if (host === 'localhost') return '127.0.0.1';
  try {
    return (await lookup(host, { family: 4 }).catch(() => lookup(host))).address;
  } catch {
    throw new UsageError(S.cannotResolve(host));
  }
}

function listenOrExplain(host: string, port: number, backlog: number, onEintr: (call: string) => void): Listener {
  try {
    return openListener(host, port, backlog, onEintr);
  } catch (err) {
    if (err instanceof SysError) {
      if (err.code === 'EADDRINUSE') throw new UsageError(S.portInUse(port));
      if (err.code === 'EACCES') throw new UsageError(S.portNeedsRoot(port));
      if (err.code === 'EADDRNOTAVAIL') throw new UsageError(S.notLocalAddress(host));
    }
    throw new UsageError(S.cannotListen(err));
  }
}

/** What WSGI calls SERVER_NAME/SERVER_PORT, and whether the model is multi-process. */
function gatewayInfo(opts: ServerOptions, listener: Listener): GatewayInfo {
  const loopback = /^(127\.|::1$)/.test(listener.host);
  const wildcard = listener.host === '0.0.0.0' || listener.host === '::';
  const serverName = loopback ? 'localhost' : wildcard ? hostname() : isIP(opts.host) ? listener.host : opts.host;
  return { serverName, serverPort: listener.port, multiprocess: opts.model !== 'iterative', runOnce: opts.model === 'fork' };
}

/** --nofile: refused when the model cannot run with it (descriptors.ts says what it needs), else set. */
function limitFds(n: number, opts: ServerOptions, listener: Listener): void {
  const { model } = opts;
  // The iterative model's poller is made now, so it is counted with the rest (not found missing at its first wait).
  if (model === 'iterative') poller();
  const needs = nofileNeeds(model, opts.workers, opts.workerConnections);
  if (needs && n < needs.minimum) {
    listener.close();
    throw new UsageError(S.nofileTooLow(n, model, needs.held, needs.minimum));
  }
  try {
    setNofile(n);
  } catch (err) {
    listener.close();
    throw new UsageError(S.nofileFailed(n, err));
  }
}

function noticeUnusedOptions(opts: ServerOptions, explicit: ReadonlySet<keyof ServerOptions> | undefined, emit: Emit): void {
  if (!explicit) return;
  for (const [key, flag, forModels] of MODEL_ONLY) {
    if (explicit.has(key) && !forModels.includes(opts.model)) {
      emit({ type: 'notice', code: 'UNUSED_OPTION', message: S.optionIgnored(flag, opts.model, forModels.join(' and ')) });
    }
  }
}

// ── running ──────────────────────────────────────────────────────────────────

async function stopModel(model: ServerModel, reason: string, emit: Emit): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      emit({ type: 'notice', code: 'STOP_TIMEOUT', message: S.stopTimedOut(STOP_LIMIT_MS) });
      resolve(1);
    }, STOP_LIMIT_MS);
  });
  const stopped = model.stop(reason).then(
    () => 0,
    (err: unknown) => {
      emit({ type: 'error', message: S.unexpected(err) });
      return 1;
    },
  );
  const code = await Promise.race([stopped, limit]);
  clearTimeout(timer);
  return code;
}

function onStopSignals(stop: (reason: string) => Promise<void>, forceExit: () => void, isStopping: () => boolean): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      // A second Ctrl-C while stopping: leave at once. Other signals let the stop finish.
      if (!isStopping()) void stop(S.reasonSignal(sig));
      else if (sig === 'SIGINT') forceExit();
    });
  }
}

/** A failure nobody caught (an app's stray timer throwing, say) is reported, not a stack trace and a dead server. */
function onUncaught(emit: Emit): void {
  const report = (err: unknown): void => {
    emit({ type: 'error', code: 'UNCAUGHT', message: S.unexpected(err) });
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
}

const CommandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('reap-now') }).strict(),
  z.object({ cmd: z.literal('set-reap'), policy: z.enum(['none', 'wait', 'loop']) }).strict(),
  z
    .object({
      cmd: z.literal('kill'),
      pid: z.number().int().positive(),
      signal: z.union([z.number().int().min(0).max(64), z.string().regex(/^(SIG)?[A-Z0-9+-]+$/)]),
    })
    .strict(),
  z.object({ cmd: z.literal('release-fds') }).strict(),
  z.object({ cmd: z.literal('stop') }).strict(),
]);

/** Parses one stdin line into a Command, or explains what is wrong with it. A bare word is a command without arguments. */
export function parseCommand(line: string): { ok: true; cmd: Command } | { ok: false; error: string } {
  const text = line.trim();
  let raw: unknown;
  if (/^[a-z-]+$/.test(text)) raw = { cmd: text };
  else {
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, error: `not JSON: ${text.slice(0, 80)}` };
    }
  }
  const parsed = CommandSchema.safeParse(raw);
  if (parsed.success) return { ok: true, cmd: parsed.data as Command };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: `${where}${issue?.message ?? 'invalid command'} (${text.slice(0, 80)})` };
}

function readCommands(emit: Emit, model: ServerModel, stop: (reason: string) => Promise<void>): void {
  // A background job reading its terminal would be stopped (SIGTTIN): commands come from pipes, or a foreground terminal.
  if (process.stdin.isTTY && !inForeground(0)) return;
  let lines;
  try {
    lines = createInterface({ input: process.stdin, terminal: false });
  } catch {
    return; // no usable stdin: commands are optional
  }
  process.stdin.on('error', () => {});
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const parsed = parseCommand(line);
    if (!parsed.ok) emit({ type: 'error', code: 'BAD_COMMAND', message: S.badCommand(parsed.error) });
    else if (parsed.cmd.cmd === 'stop') void stop(S.reasonCommand);
    else model.command(parsed.cmd);
  });
}

function flushStdout(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 500);
    process.stdout.write('', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** 127.0.0.0/8 and ::1 stay on this machine; anything else is reachable from the network. */
function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost';
}
