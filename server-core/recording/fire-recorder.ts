// `forkscope fire … --record FILE`: the client's events, written as they happen by the client's
// own process (it is the only process of a fire run).
import { getOrigin, now } from '../clock';
import type { ClientEvent } from '../events';
import type { FireOptions } from '../client/types';
import type { Settings } from './format';
import { R } from './strings';
import { RecordingWriter, thisPlatform, wallOfOrigin } from './writer';

export interface FireRecording {
  /** Wraps the run's sink so every event is also recorded. */
  tee(sink: (e: ClientEvent) => void): (e: ClientEvent) => void;
  /** Writes what is left and says how much was recorded. */
  close(): void;
}

/** Opens the recording (or fails with one line) and writes its header. */
export function openFireRecording(file: string, options: FireOptions, fail: (message: string) => never): FireRecording {
  let writer: RecordingWriter;
  try {
    writer = new RecordingWriter(file, (err) => process.stderr.write(`forkscope: ${R.writeFailed(file, err)}\n`));
  } catch (err) {
    return fail(R.cannotWrite(file, err));
  }
  process.stderr.write(`forkscope: ${R.secrets(file)}\n`);
  writer.header({ recorder: 'fire', settings: null, client: clientSettings(options), platform: thisPlatform(), startedMs: wallOfOrigin(now()), origin: getOrigin() });
  return {
    tee: (sink) => (e) => {
      writer.event(e);
      sink(e);
    },
    close: () => {
      writer.close();
      if (!writer.failure) process.stderr.write(`forkscope: ${R.recorded(writer.events, file)}\n`);
    },
  };
}

/** The client's options as plain fields (headers as lines; raw bytes are in the events). */
function clientSettings(o: FireOptions): Settings {
  return {
    url: o.url,
    mode: o.mode,
    method: o.method,
    headers: o.headers.map(([k, v]) => `${k}: ${v}`).join('\n'),
    body: o.body,
    clients: o.clients,
    conns: o.conns,
    maxConns: o.maxConns,
    rate: o.rate,
    raw: o.rawBase64 !== undefined,
    slowMs: o.slowMs,
    sendNothing: o.sendNothing,
    holdS: o.holdS,
    timeoutS: o.timeoutS,
  };
}
