// Replay: a recording shown in the same panels as a live run, driven by a time cursor
// (replay/player.ts) instead of the live feed. While it is on, live batches are not applied;
// "back to live" ends it and the feed takes a fresh snapshot (feed.ts).
import type { StateCreator } from 'zustand/vanilla';
import type { Damage, Refusal } from '../../server-core/recording/parse';
import type { RecordingHeader } from '../../server-core/recording/format';
import type { Marker } from '../replay/markers';
import { Player } from '../replay/player';
import { openRecording, type OpenedRecording } from '../replay/recording';
import type { AppState } from './store';

/** What the replay bar draws. */
export interface ReplayView {
  name: string;
  header: RecordingHeader;
  damage: Damage | null;
  count: number;
  /** Events shown so far: [0, index). */
  index: number;
  /** The cursor's time and the recording's span, ms on its clock. */
  t: number;
  start: number;
  end: number;
  playing: boolean;
  speed: number;
  markers: Marker[];
  /** The last move's cost before drawing, ms. */
  moveMs: number;
}

export interface ReplaySlice {
  replay: ReplayView | null;
  /** A file being read (large ones take a moment): its name and the share read. */
  opening: { name: string; share: number } | null;
  /** The last file that could not be opened, and why. */
  openRefusal: { name: string; refusal: Refusal } | null;
  openRecordingText(text: string, name: string): Promise<void>;
  closeReplay(): void;
  seekReplay(t: number): void;
  /** Shows the first `index` events (a marker: just after its event). */
  seekReplayIndex(index: number): void;
  stepReplay(direction: 1 | -1): void;
  togglePlay(): void;
  setReplaySpeed(speed: number): void;
  dismissOpenRefusal(): void;
  /** The opened recording (for Save and Export while replaying). */
  replayRecording(): OpenedRecording | null;
}

export const replaySlice: StateCreator<AppState, [], [], ReplaySlice> = (set, get) => {
  let player: Player | null = null;

  const view = (p: Player): ReplayView => ({
    name: p.recording.name,
    header: p.recording.header,
    damage: p.recording.damage,
    count: p.recording.count,
    index: p.index,
    t: p.t,
    start: p.start,
    end: p.end,
    playing: p.playing,
    speed: p.speed,
    markers: p.recording.markers,
    moveMs: p.lastMoveMs,
  });

  return {
    replay: null,
    opening: null,
    openRefusal: null,
    openRecordingText: async (text, name) => {
      set({ opening: { name, share: 0 }, openRefusal: null });
      const result = await openRecording(text, name, (share) => set({ opening: { name, share } }));
      set({ opening: null });
      if (!result.ok) {
        set({ openRefusal: { name, refusal: result.refusal } });
        return;
      }
      player?.dispose();
      const journal = get().journal;
      journal.reset();
      const p = new Player(result.recording, {
        forward: (events, seq) => get().receive([{ seq, events }], performance.now(), 'replay'),
        state: (snapshot, series) => get().receiveReplayState(snapshot, series, performance.now()),
        moved: () => {
          if (player !== p) return;
          // The run's clock stands at the cursor: ages and waits are measured to it, not to now.
          const journal = get().journal;
          journal.clock = { t: p.t, at: Number.POSITIVE_INFINITY };
          set({ replay: view(p), clock: journal.clock });
        },
      });
      player = p;
      // Live views must not linger: the selection and filters pointed at the live run.
      set({ replay: view(p), paused: false, held: 0, selectedConv: null, detailsPid: null, lastSave: null, filters: { ...get().filters, pid: '', conn: '' } });
      get().receiveReplayState({ summary: journal.summary, events: [], nextSeq: 0 }, p.recording.checkpoints[0].series, performance.now());
      // Open at the end: the whole run's outcome, then scrub back through it.
      p.seek(p.end);
    },
    closeReplay: () => {
      player?.dispose();
      player = null;
      get().journal.reset();
      set({ replay: null, selectedConv: null, detailsPid: null, filters: { ...get().filters, pid: '', conn: '' } });
    },
    seekReplay: (t) => player?.seek(t),
    seekReplayIndex: (index) => player?.seekIndex(index),
    stepReplay: (direction) => player?.step(direction),
    togglePlay: () => {
      if (!player) return;
      if (player.playing) player.pause();
      else player.play();
    },
    setReplaySpeed: (speed) => player?.setSpeed(speed),
    dismissOpenRefusal: () => set({ openRefusal: null }),
    replayRecording: () => player?.recording ?? null,
  };
};
