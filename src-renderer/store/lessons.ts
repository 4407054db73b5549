// The lessons slice: which lesson and step the learner is on, their predictions, the live
// check, and their progress (kept between runs). A check is judged on the journal — the
// kernel's numbers the panels show — every CHECK_MS while a lesson is open; it never passes
// by waiting. Starting a lesson stops whatever runs and starts the lesson's server.
import type { StateCreator, StoreApi } from 'zustand/vanilla';
import type { FireSummary } from '../../server-core/client/types';
import { lessonById } from '../lessons';
import { Window, type FireAt } from '../lessons/checker';
import { loadProgress, saveProgress, type Progress } from '../lessons/progress';
import type { Action, FireRecord, Lesson, LessonId, Step } from '../lessons/types';
import { defaultServerForm } from './forms';
import type { AppState } from './store';

export type CheckState = 'waiting' | 'pass' | 'fail';

export interface LessonSlice {
  /** The lessons panel is showing (instead of the server and client panels). */
  lessonsOpen: boolean;
  /** The lesson's own server is being started: its steps wait. */
  lessonStarting: boolean;
  lesson: LessonId | null;
  step: number;
  predictions: Record<string, string>;
  check: { state: CheckState; hint: string | null };
  /** The listing's line for the newest event the lesson's code stands for. */
  codeLine: number | null;
  /** The action of the current `do` step has been done (by its button or "show me"). */
  done: boolean;
  /** Fires measured since the lesson began (a check with `fires` shows them side by side). */
  lessonFires: FireRecord[];
  progress: Progress;
  openLessons(open: boolean): void;
  startLesson(id: LessonId): Promise<void>;
  goToStep(step: number): void;
  choose(stepId: string, choice: string): void;
  doStep(): Promise<void>;
  showMe(): Promise<void>;
  leaveLesson(): void;
  /** The last step is behind the learner: the lesson is done, back to the list. */
  finishLesson(): void;
  resetProgress(): void;
  /** Looks at the journal: the code line, and the check's verdict. */
  judgeLesson(): void;
  /** A fire finished (from a lesson's button or the client panel): the current check may measure it. */
  noteFire(result: FireSummary): void;
}

/** A check is judged at most this often. */
export const CHECK_MS = 200;
/** After an action has finished, a goal still not met this long later counts as failed (hints show). */
const FAIL_AFTER_MS = 5000;

export const lessonSlice: StateCreator<AppState, [], [], LessonSlice> = (set, get) => {
  /** The current check's window, and when the last action finished (for the hints). */
  let window: Window | null = null;
  /** Where each `do` step of the current lesson began (timeline positions), by step id. */
  let doFrom = new Map<string, number>();
  /** Where the window of the next check starts: the start of the last `do` step. */
  let windowFrom = 0;
  /** The fires of the current lesson, for checks that measure them. */
  let fires: FireAt[] = [];
  /** The timeline position the code line was last updated to. */
  let codeFrom = 0;
  let actedAt: number | null = null;

  const lesson = (): Lesson | null => (get().lesson ? lessonById(get().lesson!) : null);
  const here = (): number => get().journal.timeline.end;

  const remember = (id: LessonId, step: number, done: boolean): void => {
    const progress = { ...get().progress, [id]: { step, done: done || (get().progress[id]?.done ?? false) } };
    saveProgress(progress);
    set({ progress });
  };

  const enter = (index: number): void => {
    const l = lesson();
    if (!l) return;
    const step = Math.max(0, Math.min(index, l.steps.length - 1));
    const s = l.steps[step];
    if (s.kind === 'do') {
      windowFrom = here();
      doFrom.set(s.id, windowFrom);
    }
    window = s.kind === 'check' ? new Window((s.from != null ? doFrom.get(s.from) : undefined) ?? windowFrom, fires) : null;
    actedAt = null;
    codeFrom = here();
    // A step that points at a line shows it until the next event; otherwise the last event's line stays lit.
    set({ step, done: false, ...(s.line != null ? { codeLine: null } : {}), check: { state: 'waiting', hint: null } });
    remember(l.id, step, false);
    if (s.kind === 'check') get().judgeLesson();
  };

  const perform = async (action: Action): Promise<void> => {
    const st = get();
    switch (action.kind) {
      case 'start': {
        if (st.run.running) await st.stop();
        const l = lesson();
        const form = st.form;
        st.setForm({ ...defaultServerForm(), host: form.host, port: form.port, ...(l?.preset ?? {}), ...(action.server ?? {}) });
        await get().start();
        return;
      }
      case 'fire':
        st.setClientForm({ ...defaultClientFormKeep(st), ...action.client });
        await st.fireWith(action.extra ?? {});
        return;
      case 'command':
        await st.command(action.cmd);
        return;
      case 'signal-zombie': {
        const pid = st.journal.procs.zombies.pids[0];
        if (pid != null) await st.command({ cmd: 'kill', pid, signal: action.signal });
        return;
      }
    }
  };

  const act = async (action: Action): Promise<void> => {
    await perform(action);
    actedAt = performance.now();
    // A check that had failed waits again for what this action brings ("show me" after a hint).
    const check = get().check.state === 'pass' ? get().check : { state: 'waiting' as const, hint: null };
    set({ done: true, check });
    get().judgeLesson();
  };

  return {
    lessonsOpen: false,
    lessonStarting: false,
    lesson: null,
    step: 0,
    predictions: {},
    check: { state: 'waiting', hint: null },
    codeLine: null,
    done: false,
    lessonFires: [],
    progress: loadProgress(),
    openLessons: (lessonsOpen) => set({ lessonsOpen }),
    startLesson: async (id) => {
      const l = lessonById(id);
      if (!l) return;
      const resume = get().progress[id];
      const start = resume && !resume.done ? resume.step : 0;
      codeFrom = here();
      windowFrom = here();
      doFrom = new Map();
      fires = [];
      set({ lesson: id, lessonsOpen: true, lessonStarting: true, step: start, predictions: {}, codeLine: null, lessonFires: [] });
      // A known state: whatever runs stops, the lesson's own server starts.
      try {
        await perform({ kind: 'start' });
      } finally {
        set({ lessonStarting: false });
      }
      windowFrom = here();
      enter(start);
    },
    goToStep: (step) => enter(step),
    choose: (stepId, choice) => set({ predictions: { ...get().predictions, [stepId]: choice } }),
    doStep: async () => {
      const s = lesson()?.steps[get().step];
      if (s?.kind === 'do') await act(s.action);
    },
    showMe: async () => {
      const l = lesson();
      if (!l) return;
      const action = showMeAction(l.steps, get().step);
      if (action) await act(action);
    },
    finishLesson: () => {
      const l = lesson();
      if (l) remember(l.id, 0, true);
      get().leaveLesson();
    },
    leaveLesson: () => {
      window = null;
      set({ lesson: null, step: 0, predictions: {}, codeLine: null, check: { state: 'waiting', hint: null } });
    },
    resetProgress: () => {
      saveProgress({});
      set({ progress: {} });
    },
    judgeLesson: () => {
      const l = lesson();
      if (!l) return;
      const journal = get().journal;
      const line = codeLineSince(l, journal, codeFrom);
      codeFrom = journal.timeline.end;
      if (line != null && line !== get().codeLine) set({ codeLine: line });
      const s = l.steps[get().step];
      if (s.kind !== 'check' || !window || get().check.state === 'pass') return;
      const verdict = window.judge(s.goal, journal);
      if (verdict === 'pass') {
        set({ check: { state: 'pass', hint: null } });
        return;
      }
      if (verdict !== 'waiting') set({ check: { state: 'fail', hint: verdict.fail } });
      else if (actedAt != null && performance.now() - actedAt > FAIL_AFTER_MS) set({ check: { state: 'fail', hint: null } });
    },
    noteFire: (result) => {
      const fire: FireRecord = { model: get().run.listening?.model ?? null, total: result.total, ms: result.ms, statuses: result.statuses };
      fires.push({ seq: here(), fire });
      set({ lessonFires: [...get().lessonFires, fire] });
      get().judgeLesson();
    },
  };
};

/** What "show me" does at a check: its own action, else the `do` step before it. */
export function showMeAction(steps: readonly Step[], index: number): Action | null {
  const s = steps[index];
  if (s?.kind === 'check' && s.showMe) return s.showMe;
  for (let i = index; i >= 0; i--) {
    const p = steps[i];
    if (p.kind === 'do') return p.action;
  }
  return null;
}

/** The listing line of the newest event (since `from`) the lesson's code stands for. */
function codeLineSince(l: Lesson, journal: AppState['journal'], from: number): number | null {
  const tl = journal.timeline;
  for (let seq = tl.end - 1; seq >= Math.max(from, tl.first); seq--) {
    const line = l.code.events[tl.at(seq)!.e.type];
    if (line != null) return line;
  }
  return null;
}

/** A lesson's fire starts from the plain client form: one GET, no body, no extra headers, something sent. */
function defaultClientFormKeep(st: AppState): Partial<AppState['clientForm']> {
  return { kind: 'request', method: 'GET', headers: '', body: '', sendNothing: false, clients: '1', conns: '1', timeoutS: st.clientForm.timeoutS || '15' };
}

/**
 * Judges the current check every CHECK_MS while a lesson is open — time matters even when no
 * event comes (a burst has settled once nothing happened for a while) — and records fires.
 */
export function attachLessons(store: StoreApi<AppState>): () => void {
  let beat: ReturnType<typeof setInterval> | null = null;
  const follow = (s: AppState): void => {
    if (s.lesson && !beat) beat = setInterval(() => store.getState().judgeLesson(), CHECK_MS);
    if (!s.lesson && beat) {
      clearInterval(beat);
      beat = null;
    }
  };
  const unsubscribe = store.subscribe((s, prev) => {
    follow(s);
    if (s.lesson && s.lastResult && s.lastResult !== prev.lastResult) s.noteFire(s.lastResult);
  });
  follow(store.getState());
  return () => {
    unsubscribe();
    if (beat) clearInterval(beat);
  };
}
