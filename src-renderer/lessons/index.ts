// The lessons, in the tutorial's order, and one more beyond it. Each lesson's words are
// registered with i18next as a namespace of its own (`lesson.<id>`), in both languages.
import { i18n } from '../i18n';
import { backlog } from './backlog';
import { descriptors } from './descriptors';
import { gateway } from './gateway';
import { minimalServer } from './minimal-server';
import { prefork } from './prefork';
import { processPerConnection } from './process-per-connection';
import { sigchldEintr } from './sigchld-eintr';
import { signalsNotQueued } from './signals-not-queued';
import type { Lesson, LessonId } from './types';
import { zombies } from './zombies';

export const LESSONS: readonly Lesson[] = [
  minimalServer,
  gateway,
  backlog,
  processPerConnection,
  descriptors,
  zombies,
  sigchldEintr,
  signalsNotQueued,
  prefork,
];

export function lessonById(id: string): Lesson | null {
  return LESSONS.find((l) => l.id === id) ?? null;
}

/** The i18next namespace that holds a lesson's words. */
export function lessonNs(id: LessonId): string {
  return `lesson.${id}`;
}

for (const l of LESSONS) {
  i18n.addResourceBundle('en', lessonNs(l.id), l.text.en);
  i18n.addResourceBundle('zh-CN', lessonNs(l.id), l.text['zh-CN']);
}
