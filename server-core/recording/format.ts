// The recording format, `*.forkscope.jsonl`: one header line, then the run's events in order,
// one JSON object per line, exactly as the event contract defines them (docs/events.md).
// docs/recordings.md describes it for other tools. Browser-safe: no Node module here, the
// renderer reads recordings with the same code.
import { z } from 'zod';
import { eventJson } from '../event-json';
import type { ForkscopeEvent } from '../events';
import { version as forkscopeVersion } from '../../package.json';

/** The header's `format` value: what says "this is a forkscope recording". */
export const RECORDING_FORMAT = 'forkscope-recording';
/** The format version this build writes and the newest it reads. */
export const RECORDING_VERSION = 1;
/** The file name ending recordings get (a convention; any name opens). */
export const RECORDING_SUFFIX = '.forkscope.jsonl';

/** Who made the recording: `forkscope serve --record`, `forkscope fire --record`, or the app's supervisor. */
export type Recorder = 'serve' | 'fire' | 'app';

export type Settings = { readonly [key: string]: string | number | boolean | null | undefined };

export interface Platform {
  /** process.platform: linux, darwin. */
  os: string;
  /** The kernel's release (os.release()). */
  release: string;
  arch: string;
  node: string;
  electron?: string;
}

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: number;
  /** The forkscope version that wrote it. */
  forkscope: string;
  recorder: Recorder;
  /** The server's settings (the app's RunConfig, or serve's flags); null when there was no server (fire). */
  settings: Settings | null;
  /** The client's options (fire recordings). */
  client?: Settings;
  platform: Platform;
  /** Wall-clock time of t = 0, ISO 8601 (UTC): add an event's `t` (ms) to get its wall time. */
  started: string;
  /** CLOCK_MONOTONIC of t = 0 in ns (decimal string): recordings made on one machine share it. */
  origin: string | null;
  /** Events of the run that were no longer held when it was saved (the app keeps the newest 100,000); 0 = the whole run. */
  dropped: number;
}

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null(), z.undefined()]);

export const HeaderSchema = z.object({
  format: z.literal(RECORDING_FORMAT),
  version: z.number().int().positive(),
  forkscope: z.string(),
  recorder: z.enum(['serve', 'fire', 'app']),
  settings: z.record(z.string(), Scalar).nullable(),
  client: z.record(z.string(), Scalar).optional(),
  platform: z.object({ os: z.string(), release: z.string(), arch: z.string(), node: z.string(), electron: z.string().optional() }),
  started: z.string(),
  origin: z.string().regex(/^\d+$/).nullable(),
  dropped: z.number().int().nonnegative(),
});

export interface HeaderInput {
  recorder: Recorder;
  settings: Settings | null;
  client?: Settings;
  platform: Platform;
  /** Wall-clock ms (Date.now() scale) of t = 0. */
  startedMs: number;
  origin: string | null;
  dropped?: number;
}

export function makeHeader(h: HeaderInput): RecordingHeader {
  return {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    forkscope: forkscopeVersion,
    recorder: h.recorder,
    settings: h.settings,
    ...(h.client ? { client: h.client } : {}),
    platform: h.platform,
    started: new Date(Math.round(h.startedMs)).toISOString(),
    origin: h.origin,
    dropped: h.dropped ?? 0,
  };
}

export function headerLine(h: RecordingHeader): string {
  return `${JSON.stringify(h)}\n`;
}

/** Wall-clock ms of an event's `t`, from the header's `started`. */
export function wallMs(h: RecordingHeader, t: number): number {
  return Date.parse(h.started) + t;
}

/** A whole recording as text (the app's Save: the page turns it into a download). */
export function recordingText(header: RecordingHeader, events: readonly ForkscopeEvent[]): string {
  const parts = [headerLine(header)];
  for (const e of events) parts.push(`${eventJson(e)}\n`);
  return parts.join('');
}
