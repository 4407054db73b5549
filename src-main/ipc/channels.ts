// One map of channels to payload types, from which the Electron main process, the preload,
// the WebSocket bridge and the renderer all derive their types (Hyper's common.d.ts idea).
import type { Command } from '../../server-core/events';
import type { FireOptions, FireSummary } from '../../server-core/client/types';
import type { Batch, FdTable, ObserveConfig, RunConfig, Snapshot, Summary } from '../supervisor/types';

/** Renderer → main requests: channel → [argument, result]. */
export interface InvokeChannels {
  'server:start': [RunConfig, Summary];
  /** "Watch a server": one of the learner's instead of forkscope's own (stop ends it too). */
  'observe:start': [ObserveConfig, Summary];
  'server:stop': [null, null];
  'server:restart': [RunConfig, Summary];
  'server:command': [Command, null];
  'client:fire': [FireOptions, FireSummary];
  'timeline:snapshot': [null, Snapshot];
  'process:fds': [{ pid: number }, FdTable];
  /** The timeline as a recording file's text (docs/recordings.md), for Save and Export HAR. */
  'recording:get': [null, RecordingText];
  /** The recording named on the command line (`--open FILE`), if any. */
  'recording:opened': [null, OpenedFile | null];
}

export interface RecordingText {
  text: string;
  events: number;
  /** Events of the run no longer held (the history keeps the newest 100,000). */
  dropped: number;
}

export interface OpenedFile {
  /** The file's name, without its folder. */
  name: string;
  text: string;
}

/** Main → renderer pushes. */
export interface PushChannels {
  'timeline:batch': Batch;
}

export type InvokeChannel = keyof InvokeChannels;
export type InvokeArg<C extends InvokeChannel> = InvokeChannels[C][0];
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C][1];

/** What the renderer talks to: implemented by the preload (Electron) and by a WebSocket (browser mode). */
export interface Bridge {
  invoke<C extends InvokeChannel>(channel: C, arg: InvokeArg<C>): Promise<InvokeResult<C>>;
  onBatch(listener: (batch: Batch) => void): () => void;
}
