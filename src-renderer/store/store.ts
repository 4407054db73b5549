// The one store (zustand, vanilla, slices). The bridge feeds the Journal outside React;
// `publish` copies small immutable views out of it, at most once per animation frame
// (see feed.ts). Components select only the slice they draw.
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type { FireOptions, FireSummary } from '../../server-core/client/types';
import type { Command, EventType, ReapPolicy } from '../../server-core/events';
import type { Bridge } from '../../src-main/ipc/channels';
import type { Batch, ConnectionView, Counters, FdTable, Snapshot, Summary } from '../../src-main/supervisor/types';
import type { QueueItem } from './conversations';
import { defaultClientForm, defaultObserveForm, defaultServerForm, formFromConfig, toFireOptions, toObserveConfig, toRunConfig, type ClientForm, type ObserveForm, type ServerForm } from './forms';
import { Journal, type RunView } from './journal';
import type { ProcNode } from './procs';
import { recordSlice, type RecordSlice } from './record-slice';
import { replaySlice, type ReplaySlice } from './replay-slice';
import type { Point, Series } from './series';
import { attachLessons, lessonSlice, type LessonSlice } from './lessons';

export type Connection = 'connecting' | 'open' | 'lost';

export interface QueueView {
  length: number;
  backlog: number;
  waiting: QueueItem[];
  connecting: QueueItem[];
}

export interface LiveSlice {
  journal: Journal;
  connection: Connection;
  counters: Counters;
  zombies: { count: number; pids: number[] };
  masterZombies: number | null;
  procs: ProcNode[];
  queue: QueueView;
  /** A watched server's connections, with the processes holding each. */
  connections: ConnectionView[];
  run: RunView;
  /** Timeline entries with seq below this are on screen. */
  timelineEnd: number;
  convVersion: number;
  points: Point[];
  clock: { t: number; at: number };
  /** Events received while paused and not yet shown. */
  held: number;
  setConnection(c: Connection): void;
  /** Batches from the live feed; ignored while a recording is shown (replay-slice.ts feeds it then). */
  receive(batches: Batch[], now: number, from?: 'live' | 'replay'): void;
  receiveSnapshot(snap: Snapshot, now: number): void;
  /** A replay's state at its cursor: a snapshot, as for a page joining late, and the charts' exact series. */
  receiveReplayState(snap: Snapshot, series: Series, now: number): void;
  /** Copies the journal's views into the store (skipped while paused). */
  publish(now: number): void;
}

export interface Filters {
  /** Event types not shown. */
  hidden: EventType[];
  pid: string;
  conn: string;
}

export interface UiSlice {
  paused: boolean;
  filters: Filters;
  selectedConv: number | null;
  detailsPid: number | null;
  togglePause(): void;
  selectConv(id: number | null): void;
  showDetails(pid: number | null): void;
  setFilters(patch: Partial<Filters>): void;
}

export interface ServerSlice {
  form: ServerForm;
  busy: 'starting' | 'stopping' | 'restarting' | 'watching' | null;
  actionError: string | null;
  /** Set when we asked the master to stop, so its exit is not reported as a failure. */
  stopRequested: boolean;
  /** The config the running master was started with (to tell the user a restart is due). */
  startedWith: string | null;
  setForm(patch: Partial<ServerForm>): void;
  /** "Watch a server": its form, and whether it is shown instead of the server's settings. */
  observeForm: ObserveForm;
  observeOpen: boolean;
  setObserveForm(patch: Partial<ObserveForm>): void;
  setObserveOpen(open: boolean): void;
  /** Watches the server the observe form names (stopping whatever ran). */
  observe(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Resolves with the reason when it was refused (null when done), for the place it was clicked. */
  setReap(policy: ReapPolicy): Promise<string | null>;
  /** Resolves with the reason when it was refused (null when sent), for the place it was clicked. */
  command(cmd: Command): Promise<string | null>;
  /** A process's descriptors as the kernel says now, or why they cannot be read. */
  readFds(pid: number): Promise<FdTable | string>;
  dismissError(): void;
}

export interface ClientSlice {
  clientForm: ClientForm;
  firing: number;
  lastResult: FireSummary | null;
  lastFireError: string | null;
  lastFire: FireOptions | null;
  setClientForm(patch: Partial<ClientForm>): void;
  fire(): Promise<void>;
  /** Fires what the client form says, with options the form has no field for (a lesson's). */
  fireWith(extra: Partial<Pick<FireOptions, 'eofGraceMs'>>): Promise<void>;
  fireAgain(): Promise<void>;
}

export type AppState = LiveSlice & UiSlice & ServerSlice & ClientSlice & LessonSlice & ReplaySlice & RecordSlice;
export type AppStore = StoreApi<AppState>;

export interface StoreOptions {
  params?: URLSearchParams;
  timelineCap?: number;
  now?: () => number;
}

const DEFAULT_HIDDEN: EventType[] = ['proc'];

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ── slices ────────────────────────────────────────────────────────────────────
const liveSlice =
  (journal: Journal): StateCreator<AppState, [], [], LiveSlice> =>
  (set, get) => {
    const marks = freshMarks();
    return {
    journal,
    connection: 'connecting',
    counters: cloneCounters(journal.summary.counters),
    zombies: journal.procs.zombies,
    masterZombies: null,
    procs: [],
    queue: { length: 0, backlog: 0, waiting: [], connecting: [] },
    connections: [],
    run: journal.run(),
    timelineEnd: 0,
    convVersion: 0,
    points: [],
    clock: journal.clock,
    held: 0,
    setConnection: (connection) => set({ connection }),
    receive: (batches, now, from = 'live') => {
      if ((get().replay !== null) !== (from === 'replay')) return;
      let n = 0;
      for (const b of batches) n += journal.applyBatch(b, now);
      if (get().paused) set({ held: get().held + n });
      else get().publish(now);
    },
    receiveSnapshot: (snap, now) => {
      if (get().replay) return; // the live feed takes a fresh one when the replay ends
      journal.applySnapshot(snap, now);
      Object.assign(marks, freshMarks());
      // Opened or reloaded while a server runs: show the settings it runs with, not the defaults.
      const cfg = snap.summary.running ? snap.summary.config : null;
      if (cfg && get().busy == null) {
        const form = formFromConfig(cfg, get().form);
        const started = toRunConfig(form);
        set({ form, startedWith: started.ok ? JSON.stringify(started.value) : null });
      }
      get().publish(now);
    },
    receiveReplayState: (snap, series, now) => {
      journal.applySnapshot(snap, now);
      journal.series.copyFrom(series);
      Object.assign(marks, freshMarks());
      get().publish(now);
    },
    publish: (now) => {
      if (get().paused) return;
      set(viewsOf(journal, now, marks, get()));
    },
  };
  };

/** Versions last published, to copy out only what changed. */
interface Marks {
  procs: number;
  conv: number;
  queue: number;
  series: number;
  run: number;
}

function freshMarks(): Marks {
  return { procs: -1, conv: -1, queue: -1, series: -1, run: -1 };
}

function viewsOf(j: Journal, now: number, published: Marks, ui: Pick<AppState, 'filters' | 'firing'>): Partial<AppState> {
  const out: Partial<AppState> = { held: 0, clock: j.clock };
  if (j.runNo !== published.run) {
    // A new run numbers its connections from #1 again: a selection or a conn filter made in
    // the old run would now point at a different connection. The last fire's result was
    // the old master's answer.
    if (published.run !== -1) {
      out.selectedConv = null;
      if (ui.filters.conn) out.filters = { ...ui.filters, conn: '' };
      if (ui.firing === 0) Object.assign(out, { lastResult: null, lastFireError: null });
    }
    published.run = j.runNo;
  }
  if (j.procs.tick(now) || j.procs.version !== published.procs) {
    published.procs = j.procs.version;
    out.procs = j.procs.nodes();
    out.zombies = j.procs.zombies;
  }
  if (j.dirty.counters) {
    out.counters = cloneCounters(j.summary.counters);
    out.masterZombies = j.procs.masterZombies;
    j.dirty.counters = false;
  }
  if (j.dirty.run) {
    out.run = j.run();
    j.dirty.run = false;
  }
  if (j.dirty.queue || j.convs.queueVersion !== published.queue) {
    published.queue = j.convs.queueVersion;
    out.queue = { ...j.summary.queue, ...j.convs.queueView() };
    j.dirty.queue = false;
  }
  if (j.dirty.connections) {
    out.connections = j.summary.connections.slice();
    j.dirty.connections = false;
  }
  if (j.convs.version !== published.conv) {
    published.conv = j.convs.version;
    out.convVersion = j.convs.version;
  }
  if (j.series.version !== published.series) {
    published.series = j.series.version;
    out.points = j.series.snapshot();
  }
  out.timelineEnd = j.timeline.end;
  return out;
}

const uiSlice: StateCreator<AppState, [], [], UiSlice> = (set, get) => ({
  paused: false,
  filters: { hidden: DEFAULT_HIDDEN, pid: '', conn: '' },
  selectedConv: null,
  detailsPid: null,
  togglePause: () => {
    const paused = !get().paused;
    set({ paused });
    if (!paused) get().publish(performance.now());
  },
  selectConv: (selectedConv) => set({ selectedConv }),
  showDetails: (detailsPid) => set({ detailsPid }),
  setFilters: (patch) => set({ filters: { ...get().filters, ...patch } }),
});

const serverSlice =
  (bridge: Bridge | null, params?: URLSearchParams): StateCreator<AppState, [], [], ServerSlice> =>
  (set, get) => {
    async function launch(kind: 'starting' | 'restarting'): Promise<void> {
      if (get().replay) return; // a recording is shown: nothing live is steered
      const cfg = toRunConfig(get().form);
      if (!cfg.ok) {
        set({ actionError: cfg.error });
        return;
      }
      if (!bridge) return;
      set({ busy: kind, actionError: null, stopRequested: kind === 'restarting' });
      try {
        const channel = kind === 'starting' ? 'server:start' : 'server:restart';
        const summary: Summary = await bridge.invoke(channel, cfg.value);
        acceptStartResult(get().journal, summary);
        set({ startedWith: JSON.stringify(cfg.value), stopRequested: false });
        get().publish(performance.now());
      } catch (err) {
        set({ actionError: message(err) });
      } finally {
        set({ busy: null });
      }
    }
    return {
      form: defaultServerForm(params),
      busy: null,
      actionError: null,
      stopRequested: false,
      startedWith: null,
      setForm: (patch) => set({ form: { ...get().form, ...patch } }),
      observeForm: defaultObserveForm(params),
      observeOpen: params?.has('observe') ?? false,
      setObserveForm: (patch) => set({ observeForm: { ...get().observeForm, ...patch } }),
      setObserveOpen: (observeOpen) => set({ observeOpen }),
      observe: async () => {
        const cfg = toObserveConfig(get().observeForm);
        if (!cfg.ok) {
          set({ actionError: cfg.error });
          return;
        }
        if (!bridge) return;
        set({ busy: 'watching', actionError: null, stopRequested: get().run.running });
        try {
          const summary: Summary = await bridge.invoke('observe:start', cfg.value);
          acceptStartResult(get().journal, summary);
          set({ startedWith: null, stopRequested: false });
          get().publish(performance.now());
        } catch (err) {
          set({ actionError: message(err) });
        } finally {
          set({ busy: null });
        }
      },
      start: () => launch('starting'),
      restart: () => launch('restarting'),
      stop: async () => {
        if (!bridge || get().replay) return;
        set({ busy: 'stopping', actionError: null, stopRequested: true });
        try {
          await bridge.invoke('server:stop', null);
          // The kernel's word after the stop: the supervisor has reaped everything.
          const snap = await bridge.invoke('timeline:snapshot', null);
          const j = get().journal;
          j.summary.procs = snap.summary.procs;
          j.summary.zombies = snap.summary.zombies;
          j.procs.setFromSummary(snap.summary.procs, snap.summary.zombies);
          j.dirty.counters = true;
          get().publish(performance.now());
        } catch (err) {
          set({ actionError: message(err) });
        } finally {
          set({ busy: null, startedWith: null });
        }
      },
      setReap: async (policy) => {
        set({ form: { ...get().form, reap: policy } });
        return get().run.running ? get().command({ cmd: 'set-reap', policy }) : null;
      },
      command: async (cmd) => {
        if (!bridge || get().replay) return null;
        try {
          await bridge.invoke('server:command', cmd);
          return null;
        } catch (err) {
          return message(err);
        }
      },
      readFds: async (pid) => {
        if (!bridge) return '';
        try {
          return await bridge.invoke('process:fds', { pid });
        } catch (err) {
          return message(err);
        }
      },
      dismissError: () => set({ actionError: null }),
    };
  };

/** A start or restart answer. Its events (master-start, listening) arrive as batches and carry
 * the run; the answer matters when the start failed: then it says why. */
function acceptStartResult(j: Journal, s: Summary): void {
  if (s.running) return;
  j.summary.running = false;
  j.summary.lastError = s.lastError;
  j.dirty.run = true;
}

function cloneCounters(c: Counters): Counters {
  return { ...c, responses: { ...c.responses } };
}

const clientSlice =
  (bridge: Bridge | null): StateCreator<AppState, [], [], ClientSlice> =>
  (set, get) => {
    async function send(opts: FireOptions): Promise<void> {
      if (!bridge || get().replay) return;
      set({ firing: get().firing + 1, lastFire: opts, lastFireError: null });
      try {
        const result = await bridge.invoke('client:fire', opts);
        set({ lastResult: result });
      } catch (err) {
        set({ lastFireError: message(err) });
      } finally {
        set({ firing: Math.max(0, get().firing - 1) });
      }
    }
    return {
      clientForm: defaultClientForm(),
      firing: 0,
      lastResult: null,
      lastFireError: null,
      lastFire: null,
      setClientForm: (patch) => set({ clientForm: { ...get().clientForm, ...patch } }),
      fire: () => get().fireWith({}),
      fireWith: async (extra) => {
        const opts = toFireOptions(get().clientForm, fireTarget(get()));
        if (!opts.ok) {
          set({ lastFireError: opts.error });
          return;
        }
        await send({ ...opts.value, ...extra });
      },
      fireAgain: async () => {
        const last = get().lastFire;
        if (last) await send(last);
        else await get().fire();
      },
    };
  };

/** Where the client fires: the running master's address, else the configured port. */
export function fireTarget(s: Pick<AppState, 'run' | 'form'>): { host: string; port: number } {
  if (s.run.master) return { host: s.run.master.host, port: s.run.master.port };
  const port = Number.parseInt(s.form.port, 10);
  return { host: s.form.host || '127.0.0.1', port: port > 0 ? port : 8888 };
}

export function createAppStore(bridge: Bridge | null, opts: StoreOptions = {}): AppStore {
  const journal = new Journal(opts.timelineCap);
  const store = createStore<AppState>()((...a) => ({
    ...liveSlice(journal)(...a),
    ...uiSlice(...a),
    ...serverSlice(bridge, opts.params)(...a),
    ...clientSlice(bridge)(...a),
    ...lessonSlice(...a),
    ...replaySlice(...a),
    ...recordSlice(bridge)(...a),
  }));
  attachLessons(store);
  return store;
}
