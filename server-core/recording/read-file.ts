// Reading a recording from disk a chunk at a time (a ten-minute recording can be hundreds of
// megabytes): each event goes to `onEvent` as it is read, nothing is held here.
import { createReadStream } from 'node:fs';
import type { ForkscopeEvent } from '../events';
import type { RecordingHeader } from './format';
import { RecordingParser, type Damage, type Refusal } from './parse';

export type FileResult =
  | { ok: true; header: RecordingHeader; events: number; damage: Damage | null }
  | { ok: false; refusal: Refusal }
  | { ok: false; readError: unknown };

/** Reads `path`; `onHeader` runs before the first event. Stops early when `onEvent` returns false. */
export function readRecordingFile(
  path: string,
  onEvent: (e: ForkscopeEvent) => boolean | void,
  onHeader: (h: RecordingHeader) => void = () => {},
): Promise<FileResult> {
  return new Promise((resolve) => {
    const parser = new RecordingParser();
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
    let rest = '';
    let stopped = false;
    const take = (line: string, last: boolean): void => {
      const hadHeader = parser.header !== null;
      const e = parser.line(line.endsWith('\r') ? line.slice(0, -1) : line, last);
      if (!hadHeader && parser.header) onHeader(parser.header);
      if (e && onEvent(e) === false) stopped = true;
    };
    const finish = (): void => {
      parser.end();
      if (parser.refusal || !parser.header) resolve({ ok: false, refusal: parser.refusal ?? { kind: 'empty' } });
      else resolve({ ok: true, header: parser.header, events: parser.events, damage: parser.damage });
    };
    stream.on('data', (chunk) => {
      let data = rest + (chunk as string);
      let start = 0;
      for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n', start)) {
        take(data.slice(start, nl), false);
        start = nl + 1;
        if (!parser.reading || stopped) break;
      }
      data = data.slice(start);
      rest = data;
      if (!parser.reading || stopped) {
        rest = '';
        stream.destroy();
        finish();
      }
    });
    stream.on('end', () => {
      if (rest) take(rest, true);
      rest = '';
      finish();
    });
    stream.on('error', (err) => resolve({ ok: false, readError: err }));
  });
}
