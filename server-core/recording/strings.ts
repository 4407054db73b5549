// Every sentence the recording commands show a person (`--record`, `replay`, `export har`).
import type { Damage, Refusal } from './parse';

const code = (err: unknown): string =>
  err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
const secs = (t: number | null): string => (t === null ? '0.000' : (t / 1000).toFixed(3));

export const R = {
  secrets: (file: string): string =>
    `recording to ${file}: it holds the bytes of every request and response, which may include passwords, cookies or tokens — share it with care`,
  recorded: (events: number, file: string): string => `recorded ${events} event${events === 1 ? '' : 's'} to ${file}`,
  cannotWrite: (file: string, err: unknown): string =>
    `cannot write the recording ${file}: ${code(err)} — check that its folder exists and that you may write there`,
  writeFailed: (file: string, err: unknown): string =>
    `writing the recording ${file} failed (${code(err)}): recording stopped, the rest of the run is not in it`,
  cannotRead: (file: string, err: unknown): string => `cannot read ${file}: ${code(err)}`,
  notStarted: (file: string): string => `the server did not start, so nothing was recorded (${file} not written)`,

  refusal: (file: string, r: Refusal): string => {
    switch (r.kind) {
      case 'empty':
        return `${file} is empty: a recording starts with a header line (see docs/recordings.md)`;
      case 'newer':
        return `${file} was written by forkscope ${r.writtenBy} in recording format version ${r.version}; this forkscope reads format version 1 at most — update forkscope to open it`;
      case 'bad-header':
        return `${file} has a damaged recording header (${r.detail}): nothing could be read`;
      case 'foreign':
        if (r.looksLike === 'events')
          return `${file} is not a recording: it holds forkscope events without a recording header (the output of \`serve --json\`?) — make recordings with --record FILE`;
        if (r.looksLike === 'har') return `${file} is a HAR file, not a forkscope recording — open it in a HAR viewer`;
        return `${file} is not a forkscope recording: its first line is not a recording header — recordings are made with --record or the app's Save button`;
    }
  },

  damage: (file: string, d: Damage): string =>
    d.kind === 'truncated'
      ? `${file} ends in the middle of line ${d.line} (cut off while it was written?): read ${d.events} events, up to ${secs(d.lastT)} s`
      : `line ${d.line} of ${file} is not an event (the file is damaged there): read the ${d.events} events before it, up to ${secs(d.lastT)} s, and nothing after it`,

  badSeconds: (flag: string, value: string): string => `${flag} must be a number of seconds (as the log's [ … s] stamps show), not '${value}'`,
  fromAfterTo: (from: number, to: number): string => `--from ${from} is after --to ${to}: nothing to show`,
  noExchanges: (file: string): string => `${file} holds no HTTP exchanges: the HAR has no entries`,
  unknownFormat: (what: string): string => `cannot export '${what}': the formats are har`,

  help: {
    record: 'write the run to FILE as a recording (*.forkscope.jsonl, docs/recordings.md) as it goes',
    replay: 'print a recording as its run printed it live (`serve`\'s human log)',
    replayFile: 'a recording (*.forkscope.jsonl)',
    replayJson: 'print the recorded events, one JSON object per line',
    from: 'start at this many seconds (the log\'s [ … s] stamps)',
    to: 'stop at this many seconds',
    export: 'export a recording in another format, to stdout',
    exportFormat: 'the format: har (HTTP Archive 1.2: each request and response, with timings)',
    exportFile: 'a recording (*.forkscope.jsonl)',
  },
} as const;
