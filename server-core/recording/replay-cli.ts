// `forkscope replay FILE`: a recording printed as its run printed it live — the server's events
// as `serve`'s human log, a client's as `fire` shows a connection — or, with --json, the events
// themselves. --from/--to pick a window in seconds, as the log's stamps show them.
import { Command, InvalidArgumentError } from 'commander';
import { TranscriptPrinter } from '../client/transcript';
import { eventJson } from '../event-json';
import type { ClientEvent, ForkscopeEvent } from '../events';
import { formatEvent } from '../log';
import { readRecordingFile } from './read-file';
import { R } from './strings';

interface Flags {
  json?: boolean;
  from?: number;
  to?: number;
}

const seconds = (flag: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(R.badSeconds(flag, v));
  return n;
};

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(R.help.replay)
    .argument('<file>', R.help.replayFile)
    .option('--json', R.help.replayJson, false)
    .option('--from <s>', R.help.from, seconds('--from'))
    .option('--to <s>', R.help.to, seconds('--to'))
    .action(async (file: string, flags: Flags) => {
      if (flags.from !== undefined && flags.to !== undefined && flags.from > flags.to) fail(R.fromAfterTo(flags.from, flags.to));
      process.exitCode = await replay(file, flags);
    });
}

/** Prints the recording; returns the exit code (2: not readable, 1: damaged inside, 0 otherwise). */
async function replay(file: string, flags: Flags): Promise<number> {
  const from = flags.from === undefined ? -Infinity : flags.from * 1000;
  const to = flags.to === undefined ? Infinity : flags.to * 1000;
  let out = '';
  const write = (text: string): void => {
    out += text;
    if (out.length > 64 * 1024) flush();
  };
  const flush = (): void => {
    if (out) process.stdout.write(out);
    out = '';
  };
  const clients = new ClientLog(write);
  const result = await readRecordingFile(file, (e) => {
    if (e.t < from || e.t > to) return;
    if (flags.json) write(`${eventJson(e)}\n`);
    else if (isClient(e)) clients.add(e);
    else if (e.source === undefined || e.source === 'server') {
      const lines = formatEvent(e);
      if (lines.length) write(`${lines.join('\n')}\n`);
    }
  });
  clients.end();
  flush();
  if (!result.ok) {
    process.stderr.write(`forkscope: ${'refusal' in result ? R.refusal(file, result.refusal) : R.cannotRead(file, result.readError)}\n`);
    return 2;
  }
  if (result.damage) {
    process.stderr.write(`forkscope: ${R.damage(file, result.damage)}\n`);
    // A file cut off mid-line is how a crashed recorder leaves it: everything before is good.
    return result.damage.kind === 'corrupt' ? 1 : 0;
  }
  return 0;
}

function isClient(e: ForkscopeEvent): e is ClientEvent {
  return e.type.startsWith('client-');
}

/**
 * The client's side as `fire` prints a connection (curl -v style). Several connections are
 * printed one after another, each once it has ended, under a line naming it.
 */
class ClientLog {
  private readonly open = new Map<number, { printer: TranscriptPrinter; text: string }>();
  private count = 0;

  constructor(private readonly write: (text: string) => void) {}

  add(e: ClientEvent): void {
    let c = this.open.get(e.id);
    if (!c || e.type === 'client-connect') {
      if (c) this.print(e.id);
      const fresh = { printer: null as unknown as TranscriptPrinter, text: '' };
      fresh.printer = new TranscriptPrinter((t) => (fresh.text += t));
      c = fresh;
      this.open.set(e.id, c);
    }
    c.printer.onEvent(e);
  }

  end(): void {
    for (const id of [...this.open.keys()]) this.print(id);
  }

  private print(id: number): void {
    const c = this.open.get(id);
    this.open.delete(id);
    if (!c) return;
    this.count++;
    if (this.count > 1 || this.open.size > 0) this.write(`* ── client connection ${id} ──\n`);
    this.write(c.text);
  }
}

function fail(message: string): never {
  process.stderr.write(`forkscope: ${message}\n`);
  process.exit(2);
}
