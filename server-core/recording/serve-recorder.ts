// `forkscope serve … --record FILE`: the recorder is this CLI process, never the master. It
// starts the master as its child (`serve … --json`, in the same process group, so Ctrl-C and a
// test's kill of the group reach both), writes the master's event lines to the recording as
// they come, and prints them as `serve` would have: the human log, or the lines with --json.
// The master's own work is unchanged; its stdout goes to a pipe instead of a terminal or file.
import { spawn } from 'node:child_process';
import { unlinkSync } from 'node:fs';
import type { ForkscopeEvent } from '../events';
import { formatEvent } from '../log';
import { inForeground } from '../sys/tty';
import type { Settings } from './format';
import { parseEventLine } from './parse';
import { R } from './strings';
import { RecordingWriter, thisPlatform } from './writer';

export interface ServeRecording {
  file: string;
  json: boolean;
  /** `serve`'s arguments as the person gave them, without --record and --json. */
  args: string[];
  settings: Settings;
}

/** How long a stop signal sent to this process alone waits for the master to begin stopping by itself. */
const FORWARD_AFTER_MS = 250;
const NL = 0x0a;
const STOPPING = Buffer.from('{"type":"stopping"');

/** Runs the master under the recorder until it exits; then this process exits with its code. */
export function recordServe(r: ServeRecording, fail: (message: string) => never): void {
  let writer: RecordingWriter;
  try {
    writer = new RecordingWriter(r.file, (err) => process.stderr.write(`forkscope: ${R.writeFailed(r.file, err)}\n`));
  } catch (err) {
    return fail(R.cannotWrite(r.file, err));
  }
  process.stderr.write(`forkscope: ${R.secrets(r.file)}\n`);

  const master = spawn(process.execPath, [...process.execArgv, process.argv[1], 'serve', ...r.args, '--json'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let outputGone = false;
  process.stdout.on('error', () => {
    outputGone = true;
    master.kill('SIGTERM');
  });
  const print = (text: string | Buffer): void => {
    if (!outputGone && text.length) process.stdout.write(text);
  };

  let headed = false;
  let stopping = false;
  let partial: Buffer = Buffer.alloc(0);
  const take = (whole: Buffer): void => {
    if (!headed) {
      const first = parseEventLine(whole.subarray(0, whole.indexOf(NL)).toString('utf8'));
      writer.header({ recorder: 'serve', settings: r.settings, platform: thisPlatform(), ...originOf(first) });
      headed = true;
    }
    let lines = 0;
    for (let i = whole.indexOf(NL); i >= 0; i = whole.indexOf(NL, i + 1)) lines++;
    writer.lines(whole, lines);
    if (!stopping && whole.includes(STOPPING)) stopping = true;
    if (r.json) print(whole);
    else print(humanLog(whole));
  };
  master.stdout!.on('data', (chunk: Buffer) => {
    const data = partial.length ? Buffer.concat([partial, chunk]) : chunk;
    const end = data.lastIndexOf(NL);
    if (end < 0) {
      partial = data;
      return;
    }
    partial = data.subarray(end + 1);
    take(data.subarray(0, end + 1));
  });
  master.stdout!.on('end', () => {
    if (partial.length) take(Buffer.concat([partial, Buffer.from('\n')]));
    partial = Buffer.alloc(0);
  });

  // Commands typed or piped to us go on to the master (a background job must not read its terminal).
  if (!process.stdin.isTTY || inForeground(0)) {
    process.stdin.on('error', () => {});
    master.stdin!.on('error', () => {});
    process.stdin.pipe(master.stdin!);
  }

  // A Ctrl-C reaches the master itself (one process group). A signal sent to this process
  // alone is passed on — once, as SIGTERM: a second SIGINT would make the master quit at once.
  let forwarded = false;
  const onStop = (): void => {
    if (forwarded) return;
    forwarded = true;
    setTimeout(() => {
      if (!stopping && master.exitCode === null) master.kill('SIGTERM');
    }, FORWARD_AFTER_MS).unref();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onStop);
  // Leave nothing running if this process ends first.
  process.on('exit', () => {
    if (master.exitCode === null && master.signalCode === null) master.kill('SIGTERM');
  });

  let exited: [number | null, NodeJS.Signals | null] | null = null;
  let ended = false;
  const finish = (): void => {
    if (!exited || !ended) return;
    writer.close();
    if (!headed) {
      try {
        unlinkSync(r.file);
      } catch {
        /* never created */
      }
      process.stderr.write(`forkscope: ${R.notStarted(r.file)}\n`);
    } else if (!writer.failure) process.stderr.write(`forkscope: ${R.recorded(writer.events, r.file)}\n`);
    const [code] = exited;
    process.exitCode = code ?? 1;
    process.stdin.unpipe();
    process.stdin.destroy();
  };
  master.on('exit', (code, signal) => {
    exited = [code, signal];
    finish();
  });
  master.stdout!.on('close', () => {
    ended = true;
    finish();
  });
}

/** t = 0 of the master's events in wall-clock time, from the origin its `listening` event reports. */
function originOf(first: ForkscopeEvent | null): { startedMs: number; origin: string | null } {
  if (first?.type === 'listening' && /^\d+$/.test(first.origin)) {
    const sinceOriginMs = Number(process.hrtime.bigint() - BigInt(first.origin)) / 1e6;
    return { startedMs: Date.now() - sinceOriginMs, origin: first.origin };
  }
  return { startedMs: Date.now() - (first?.t ?? 0), origin: null };
}

/** The human log of whole event lines, as `serve` prints it. */
function humanLog(whole: Buffer): string {
  let out = '';
  for (const line of whole.toString('utf8').split('\n')) {
    const e = line ? parseEventLine(line) : null;
    if (!e) continue;
    const lines = formatEvent(e);
    if (lines.length) out += `${lines.join('\n')}\n`;
  }
  return out;
}
