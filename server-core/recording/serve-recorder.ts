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
/**
 * After each read of the master's stdout the recorder rests this long, so the next read takes
 * what gathered meanwhile: a few large reads instead of hundreds of small ones a second (each a
 * wake-up, a read, two writes), which halves the recorder's CPU under load. The socket between
 * the two holds ~200 KB, a busy master's output for well over this long, so it never waits on us.
 */
const GATHER_MS = 10;
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

  const master = spawn(process.execPath, [process.argv[1], 'serve', ...r.args, '--json'], {
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

  // The master's bytes go to the file as they come (no line is parsed for that); only the first
  // line is read, for the header's clock, and the human log's lines for printing.
  let headed = false;
  let stopping = false;
  let early: Buffer = Buffer.alloc(0);
  const human = new HumanLog();
  const take = (chunk: Buffer): void => {
    if (!headed) {
      early = Buffer.concat([early, chunk]);
      const nl = early.indexOf(NL);
      if (nl < 0) return;
      writer.header({ recorder: 'serve', settings: r.settings, platform: thisPlatform(), ...originOf(parseEventLine(early.subarray(0, nl).toString('utf8'))) });
      headed = true;
      chunk = early;
    }
    writer.lines(chunk, countLines(chunk));
    if (!stopping && chunk.includes(STOPPING)) stopping = true;
    print(r.json ? chunk : human.push(chunk));
  };
  const stdout = master.stdout!;
  stdout.on('data', (chunk: Buffer) => {
    take(chunk);
    stdout.pause();
    setTimeout(() => stdout.resume(), GATHER_MS);
  });
  stdout.on('end', () => {
    if (!headed && early.length) take(Buffer.from('\n'));
    if (!r.json) print(human.end());
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

function countLines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(NL); i >= 0; i = b.indexOf(NL, i + 1)) n++;
  return n;
}

/** The human log of the master's event lines, as `serve` prints it; chunks may cut a line anywhere. */
class HumanLog {
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const end = data.lastIndexOf(NL);
    this.rest = end < 0 ? data : data.subarray(end + 1);
    return end < 0 ? '' : this.format(data.subarray(0, end).toString('utf8'));
  }

  end(): string {
    const text = this.rest.toString('utf8');
    this.rest = Buffer.alloc(0);
    return this.format(text);
  }

  private format(text: string): string {
    let out = '';
    for (const line of text.split('\n')) {
      const e = line ? parseEventLine(line) : null;
      if (!e) continue;
      const lines = formatEvent(e);
      if (lines.length) out += `${lines.join('\n')}\n`;
    }
    return out;
  }
}
