// Save and export: the recording itself (*.forkscope.jsonl) and its HTTP exchanges as HAR 1.2.
// Live, the recording is the supervisor's timeline (`recording:get`); in replay, the file that
// was opened. Saving asks first: a recording holds every request's and response's bytes.
import type { StateCreator } from 'zustand/vanilla';
import type { ForkscopeEvent } from '../../server-core/events';
import { RECORDING_SUFFIX, type RecordingHeader } from '../../server-core/recording/format';
import { buildHar } from '../../server-core/recording/har';
import { parseRecording } from '../../server-core/recording/parse';
import type { Bridge } from '../../src-main/ipc/channels';
import { t } from '../i18n';
import { download, fileStem } from '../replay/download';
import { eventAt } from '../replay/recording';
import type { AppState } from './store';

export interface RecordSlice {
  /** The save dialog is open (it says what a recording holds). */
  saveAsk: boolean;
  recordBusy: 'save' | 'har' | null;
  recordError: string | null;
  /** The last save: how many events, and how many the live history no longer held. */
  lastSave: { name: string; events: number; dropped: number } | null;
  askSave(): void;
  cancelSave(): void;
  saveRecording(): Promise<void>;
  exportHar(): Promise<void>;
  dismissRecordError(): void;
}

/** The types a HAR is made of (the rest is not parsed again for an export). */
const HTTP_TYPES = /^\{"type":"(listening|accept|request|response|transcript|client-connect|client-connected|client-sent|client-received|client-done)"/;

export const recordSlice =
  (bridge: Bridge | null): StateCreator<AppState, [], [], RecordSlice> =>
  (set, get) => {
    /** The recording to save or export: the replayed file, or the live timeline. */
    async function current(): Promise<{ text: string; events: number; dropped: number; started?: string } | null> {
      const rec = get().replayRecording();
      if (rec) return { text: rec.text, events: rec.count, dropped: rec.header.dropped, started: rec.header.started };
      if (!bridge) return null;
      return bridge.invoke('recording:get', null);
    }

    async function guarded(kind: 'save' | 'har', work: () => Promise<void>): Promise<void> {
      set({ recordBusy: kind, recordError: null });
      try {
        await work();
      } catch (err) {
        set({ recordError: t('record.failed', { reason: err instanceof Error ? err.message : String(err) }) });
      } finally {
        set({ recordBusy: null });
      }
    }

    return {
      saveAsk: false,
      recordBusy: null,
      recordError: null,
      lastSave: null,
      askSave: () => set({ saveAsk: true }),
      cancelSave: () => set({ saveAsk: false }),
      saveRecording: () =>
        guarded('save', async () => {
          set({ saveAsk: false });
          const rec = await current();
          if (!rec) return;
          const started = rec.started ?? headerOf(rec.text)?.started;
          const name = `${fileStem(started)}${RECORDING_SUFFIX}`;
          download(name, new Blob([rec.text], { type: 'application/x-ndjson' }));
          set({ lastSave: { name, events: rec.events, dropped: rec.dropped } });
        }),
      exportHar: () =>
        guarded('har', async () => {
          const replayed = get().replayRecording();
          let header: RecordingHeader;
          let events: ForkscopeEvent[];
          if (replayed) {
            header = replayed.header;
            events = [];
            for (let i = 0; i < replayed.count; i++) {
              if (HTTP_TYPES.test(replayed.text.slice(replayed.starts[i], replayed.starts[i] + 40))) events.push(eventAt(replayed, i));
            }
          } else {
            const rec = await current();
            if (!rec) return;
            const parsed = parseRecording(rec.text);
            if ('refusal' in parsed) throw new Error(parsed.refusal.kind);
            header = parsed.header;
            events = parsed.events;
          }
          const har = buildHar(header, events);
          download(`${fileStem(header.started)}.har`, new Blob([JSON.stringify(har, null, 2)], { type: 'application/json' }));
        }),
      dismissRecordError: () => set({ recordError: null }),
    };
  };

function headerOf(text: string): RecordingHeader | null {
  try {
    return JSON.parse(text.slice(0, text.indexOf('\n'))) as RecordingHeader;
  } catch {
    return null;
  }
}
