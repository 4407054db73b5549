// `forkscope fire`: the built-in client on the command line. One connection prints a
// curl -v style transcript; more print a summary (with a progress line on a terminal).
// --json prints every event as a line, then a final {"type":"fire-summary"} line.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { now } from '../clock';
import type { ClientEvent } from '../events';
import { checkOptions, defaultFireOptions, fire, FireOptionsError, DEFAULT_TIMEOUT_S, DEFAULT_EOF_GRACE_MS, type ClientSink } from './engine';
import type { SynRetryHook } from './connection';
import { openFireRecording, type FireRecording } from '../recording/fire-recorder';
import { R } from '../recording/strings';
import { formatSummary } from './report';
import { ProgressLine } from './progress';
import { parseHeader } from './request';
import { help, info, summary as words, usage } from './strings';
import { DEFAULT_URL, parseTarget, resolveTarget, TargetError } from './target';
import { TranscriptPrinter } from './transcript';
import type { FireMode, FireOptions, FireSummary } from './types';

interface Flags {
  clients: number;
  conns: number;
  maxConns?: number;
  rate?: number;
  method?: string;
  header?: [string, string][];
  data?: string;
  raw?: string;
  slow?: number;
  sendNothing?: boolean;
  hold?: number;
  timeout: number;
  eofGrace: number;
  deadline?: number;
  json?: boolean;
  allowRemote?: boolean;
  record?: string;
}

const positiveInt = (flag: string) => (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError(usage.positiveInt(flag, v));
  return n;
};
const positive = (flag: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(usage.positive(flag, v));
  return n;
};
const nonNegative = (flag: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(usage.nonNegative(flag, v));
  return n;
};
const headerArg = (v: string, acc: [string, string][] | undefined): [string, string][] => {
  const h = parseHeader(v);
  if (!h) throw new InvalidArgumentError(usage.badHeader(v));
  return [...(acc ?? []), h];
};

export function registerFire(program: Command): void {
  program
    .command('fire')
    .description(help.description)
    .argument('[url]', help.url, DEFAULT_URL)
    .addOption(new Option('--clients <n>', help.clients).argParser(positiveInt('--clients')).default(1))
    .addOption(new Option('--conns <m>', help.conns).argParser(positiveInt('--conns')).default(1))
    .addOption(new Option('--max-conns <k>', help.maxConns).argParser(positiveInt('--max-conns')))
    .addOption(new Option('--rate <r>', help.rate).argParser(positive('--rate')))
    .addOption(new Option('-X, --method <method>', help.method))
    .addOption(new Option('-H, --header <header>', help.header).argParser(headerArg))
    .addOption(new Option('-d, --data <body>', help.data))
    .addOption(new Option('--raw <file>', help.raw))
    .addOption(new Option('--slow <ms>', help.slow).argParser(nonNegative('--slow')))
    .addOption(new Option('--send-nothing', help.sendNothing))
    .addOption(new Option('--hold <s>', help.hold).argParser(nonNegative('--hold')))
    .addOption(new Option('--timeout <s>', help.timeout).argParser(positive('--timeout')).default(DEFAULT_TIMEOUT_S))
    .addOption(new Option('--eof-grace <ms>', help.eofGrace).argParser(nonNegative('--eof-grace')).default(DEFAULT_EOF_GRACE_MS))
    .addOption(new Option('--deadline <s>', help.deadline).argParser(positive('--deadline')))
    .addOption(new Option('--json', help.json))
    .addOption(new Option('--allow-remote', help.allowRemote))
    .addOption(new Option('--record <file>', R.help.record))
    .action(async (url: string, flags: Flags, cmd: Command) => {
      const fail = (message: string): never => cmd.error(`error: ${message}`, { exitCode: 2, code: 'forkscope.fire.usage' });
      const options = optionsFrom(url, flags, fail);
      const problem = checkOptions(options);
      if (problem) fail(problem);
      try {
        await resolveTarget(options.url, options.allowRemote);
      } catch (err) {
        if (err instanceof TargetError) fail(err.message);
        throw err;
      }
      const recording = flags.record !== undefined ? openFireRecording(flags.record, options, fail) : null;
      process.exitCode = await runFire(options, flags.json === true, recording);
    });
}

function optionsFrom(url: string, f: Flags, fail: (m: string) => never): FireOptions {
  if (f.raw !== undefined && (f.data !== undefined || f.method !== undefined || f.header)) fail(usage.rawAndData);
  let rawBase64: string | undefined;
  if (f.raw !== undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(f.raw === '-' ? 0 : f.raw);
    } catch (err) {
      return fail(usage.rawRead(f.raw, err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err)));
    }
    if (bytes.length === 0) fail(usage.rawEmpty(f.raw));
    rawBase64 = bytes.toString('base64');
  }
  const partial: FireOptions = defaultFireOptions({
    url,
    method: f.method ?? '',
    headers: f.header ?? [],
    ...(f.data !== undefined ? { body: f.data } : {}),
    clients: f.clients,
    conns: f.conns,
    ...(f.maxConns !== undefined ? { maxConns: f.maxConns } : {}),
    ...(f.rate !== undefined ? { rate: f.rate } : {}),
    ...(rawBase64 !== undefined ? { rawBase64 } : {}),
    ...(f.slow !== undefined ? { slowMs: f.slow } : {}),
    ...(f.sendNothing ? { sendNothing: true } : {}),
    ...(f.hold !== undefined ? { holdS: f.hold } : {}),
    timeoutS: f.timeout,
    eofGraceMs: f.eofGrace,
    ...(f.deadline !== undefined ? { deadlineS: f.deadline } : {}),
    allowRemote: f.allowRemote === true,
  });
  return { ...partial, mode: modeOf(partial) };
}

/** The mode a set of flags asks for; every mode honours --clients/--conns except single. */
export function modeOf(o: FireOptions): FireMode {
  if (o.slowMs !== undefined || o.sendNothing) return 'slow';
  if (o.rawBase64 !== undefined) return 'raw';
  if (o.holdS !== undefined) return 'hold';
  return o.clients * o.conns > 1 ? 'burst' : 'single';
}

/** Runs and prints; returns the exit code (0: every connection got a response). */
async function runFire(options: FireOptions, json: boolean, recording: FireRecording | null): Promise<number> {
  const total = options.clients * options.conns;
  const stop = new AbortController();
  // A reader that went away (`| head`) stops the run quietly instead of crashing it.
  let outClosed = false;
  process.stdout.on('error', () => {
    outClosed = true;
    stop.abort();
  });
  const out = (text: string): void => {
    if (!outClosed) process.stdout.write(text);
  };
  const onSigint = (): void => stop.abort();
  process.once('SIGINT', onSigint);

  let sink: ClientSink;
  let progress: ProgressLine | null = null;
  let onSynRetry: SynRetryHook | undefined;
  if (json) {
    sink = (e: ClientEvent) => out(`${JSON.stringify(e)}\n`);
  } else if (total === 1) {
    const printer = new TranscriptPrinter(out);
    introduce(printer, options);
    sink = (e) => printer.onEvent(e);
    onSynRetry = (_id, n, ms) => printer.info(info.synRetryLive(n, ms));
  } else {
    const t = parseTarget(options.url);
    out(`* ${words.starting(options.clients, options.conns, `http://${t.hostHeader}${t.path}`)}\n`);
    if (process.stderr.isTTY) progress = new ProgressLine(process.stderr);
    sink = () => undefined;
  }

  if (recording) sink = recording.tee(sink);

  let result: FireSummary;
  let wasConnected = false;
  try {
    result = await fire(options, sink, {
      signal: stop.signal,
      onProgress: (p) => progress?.update(p),
      onResult: (r) => (wasConnected ||= r.connectMs !== undefined),
      onSynRetry,
    });
  } catch (err) {
    progress?.stop();
    recording?.close();
    process.removeListener('SIGINT', onSigint);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${err instanceof FireOptionsError ? `error: ${message}` : usage.internal(message)}\n`);
    return err instanceof FireOptionsError ? 2 : 1;
  }
  progress?.stop();
  recording?.close();
  process.removeListener('SIGINT', onSigint);
  if (json) out(`${JSON.stringify({ type: 'fire-summary', t: now(), pid: process.pid, ...result })}\n`);
  else if (total > 1) out(formatSummary(result));
  else if (wasConnected) out(`* ${result.outcomes.held ? info.held(options.holdS ?? 0) : info.closed}\n`);
  return result.responded === result.total ? 0 : 1;
}

/** The transcript's first `*` lines: what this connection is going to do. */
function introduce(printer: TranscriptPrinter, o: FireOptions): void {
  if (o.sendNothing) printer.info(info.sendNothing);
  if (o.slowMs !== undefined) printer.info(info.slow(o.slowMs));
  if (o.holdS !== undefined) printer.info(info.holding(o.holdS));
}
