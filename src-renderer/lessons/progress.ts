// How far the learner got in each lesson, kept between runs of the app (localStorage) and
// cleared by "reset progress". Unknown or damaged entries are ignored, never trusted.
import type { LessonId } from './types';

export interface LessonProgress {
  done: boolean;
  /** The step the learner was on (0-based). */
  step: number;
}

export type Progress = Partial<Record<LessonId, LessonProgress>>;

const KEY = 'forkscope.lessons.v1';

export function loadProgress(storage: Pick<Storage, 'getItem'> | null = safeStorage()): Progress {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Progress = {};
    for (const [id, v] of Object.entries(parsed as Record<string, unknown>)) {
      const p = v as Partial<LessonProgress>;
      if (typeof p?.done === 'boolean' && Number.isInteger(p.step) && (p.step as number) >= 0) out[id as LessonId] = { done: p.done, step: p.step as number };
    }
    return out;
  } catch {
    return {};
  }
}

export function saveProgress(progress: Progress, storage: Pick<Storage, 'setItem'> | null = safeStorage()): void {
  try {
    storage?.setItem(KEY, JSON.stringify(progress));
  } catch {
    // storage unavailable: progress lasts for this page only
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
