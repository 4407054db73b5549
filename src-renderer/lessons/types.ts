// What a lesson is made of. A lesson is data: one file per lesson (lessons/*.ts), typed by
// these interfaces, with its words in English and Simplified Chinese beside it. The app walks
// its steps; checks are decided on what the kernel reported (the same numbers the panels
// show), never on a timer. docs/lessons.md explains how to write one.
import type { EventType, ForkscopeEvent } from '../../server-core/events';
import type { FireOptions } from '../../server-core/client/types';
import type { Command } from '../../server-core/events';
import type { ClientForm, ServerForm } from '../store/forms';
import type { ProcNode } from '../store/procs';
import type { RunView } from '../store/journal';
import type { en } from '../i18n/en';

export type LessonId =
  | 'minimal-server'
  | 'gateway'
  | 'backlog'
  | 'process-per-connection'
  | 'descriptors'
  | 'zombies'
  | 'sigchld-eintr'
  | 'signals-not-queued'
  | 'prefork';

/** Which part of the tutorial a lesson follows (a key of the catalogs' `parts`). */
export type Part = keyof (typeof en)['parts'];

/** What a `do` step does when its button is pressed (or "show me" does it for the learner). */
export type Action =
  /** Stop whatever runs and start the server with these settings (the rest as the lesson's preset). */
  | { kind: 'start'; server?: Partial<ServerForm> }
  /** Fire from the built-in client, shown in the client panel as if typed there. */
  | { kind: 'fire'; client: Partial<ClientForm>; extra?: Partial<Pick<FireOptions, 'eofGraceMs'>> }
  /** A command to the running master (set-reap, reap-now, release-fds). */
  | { kind: 'command'; cmd: Command }
  /** kill(2) one process the kernel shows as a zombie, with this signal. */
  | { kind: 'signal-zombie'; signal: string };

/** What the kernel and the run look like now, and everything that happened since the step's window began. */
export interface World {
  /** Events of the merged timeline (server, client, kernel) since the window began, oldest first. */
  events: readonly ForkscopeEvent[];
  /** The process tree as /proc last showed it. */
  procs: readonly ProcNode[];
  /** Zombies as /proc counts them. */
  zombies: { count: number; pids: readonly number[] };
  /** The accept queue as TCP_INFO last reported it. */
  queue: { length: number; backlog: number };
  run: RunView;
  /** Fires finished since the window began, with the model they measured. */
  fires: readonly FireRecord[];
  /** The run clock now (ms), as the newest event says. */
  now: number;
}

export interface FireRecord {
  model: string | null;
  total: number;
  ms: number;
  statuses: Record<string, number>;
}

/**
 * A goal: pass when the kernel shows it, wait while it does not yet, or fail with a hint key
 * (of the lesson's texts) when what happened makes it impossible until the learner changes
 * something.
 */
export type Verdict = 'pass' | 'waiting' | { fail: string };
export type Goal = (w: World) => Verdict;

interface StepBase {
  /** Names the step's texts: `steps.<id>` in the lesson's catalogs. */
  id: string;
  /** A line of the code listing to point at while this step is current (0-based). */
  line?: number;
}

export type Step =
  | (StepBase & { kind: 'explain' })
  | (StepBase & { kind: 'do'; action: Action })
  /** A question answered before the next steps run; `reveal` is the check that shows the answer. */
  | (StepBase & { kind: 'predict'; choices: readonly string[]; answer: string; reveal: string })
  /**
   * A goal checked live on what happened since the `do` step before it began (or since the step
   * named `from`); `showMe` is done by the "show me" button (default: that `do` step's action).
   * `fires` shows the fires measured in that window side by side.
   */
  | (StepBase & { kind: 'check'; goal: Goal; from?: string; showMe?: Action; fires?: boolean });

export type StepKind = Step['kind'];

/** The words of one step: its text, and per kind its choices, hint or the reason behind the answer. */
export interface StepText {
  title: string;
  body: string;
  /** predict: a label per choice. */
  choices?: Record<string, string>;
  /** predict: why the answer is what it is (shown when revealed). */
  why?: string;
  /** check: what to try when it failed; more may be named by a goal's `{ fail: key }`. */
  hint?: string;
  /** check: shown when it passed (what the kernel just showed). */
  passed?: string;
  /** do: the button's label. */
  button?: string;
}

export interface LessonText {
  title: string;
  summary: string;
  steps: Record<string, StepText>;
  /** Extra hints named by goals. */
  hints?: Record<string, string>;
  /** Comments on the code listing's lines, shown beside them (by line, 0-based). */
  code?: Record<string, string>;
}

/** The tutorial's code for the lesson, in its own style (Python), and where forkscope does it. */
export interface Listing {
  lines: readonly string[];
  /** The line an event type stands for: the newest such event lights it up. */
  events: Partial<Record<EventType, number>>;
  /** The file and function in server-core/ that does this here. */
  here: { file: string; fn: string };
}

export interface Lesson {
  id: LessonId;
  part: Part;
  /** The server the lesson starts: whatever runs is stopped first. */
  preset: Partial<ServerForm>;
  code: Listing;
  steps: readonly Step[];
  text: { en: LessonText; 'zh-CN': LessonText };
}
