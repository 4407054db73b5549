// Beside each lesson, the tutorial's code for it (Python, in the tutorial's style) with the
// line of the newest event lit up, Python Tutor style; and, one click away, the function in
// server-core/ that does it here, read from forkscope's own source.
import { useEffect, useState } from 'react';
import { t } from '../i18n';
import { lessonNs } from '../lessons';
import { excerpt, sourceOf, type Excerpt } from '../lessons/source';
import type { Lesson } from '../lessons/types';
import { useApp } from '../store/react';
import { tDynamic } from '../i18n';

export function LessonCode({ lesson }: { lesson: Lesson }) {
  const [tab, setTab] = useState<'tutorial' | 'here'>('tutorial');
  const { here } = lesson.code;
  return (
    <div className="lesson-code" data-testid="lesson-code">
      <div className="code-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'tutorial'} className={tab === 'tutorial' ? 'on' : ''} onClick={() => setTab('tutorial')}>
          {t('lessons.codeTutorial')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'here'} className={tab === 'here' ? 'on' : ''} onClick={() => setTab('here')} title={`${here.file} · ${here.fn}()`} data-testid="lesson-here">
          {t('lessons.codeHere')}
        </button>
      </div>
      {tab === 'tutorial' ? <Tutorial lesson={lesson} /> : <Here file={here.file} fn={here.fn} />}
    </div>
  );
}

function Tutorial({ lesson }: { lesson: Lesson }) {
  const step = useApp((s) => lesson.steps[s.step]);
  const fromEvent = useApp((s) => s.codeLine);
  const current = fromEvent ?? step?.line ?? null;
  const notes = lesson.text;
  const ns = lessonNs(lesson.id);
  return (
    <pre className="code">
      {lesson.code.lines.map((line, i) => (
        <div key={i} className={`code-line ${i === current ? 'current' : ''}`} data-current={i === current ? 'true' : undefined}>
          <span className="ln">{i + 1}</span>
          <span className="arrow">{i === current ? '➜' : ' '}</span>
          <span className="src">{line || ' '}</span>
          {notes.en.code?.[String(i)] && <span className="note">{tDynamic(`code.${i}`, { ns })}</span>}
        </div>
      ))}
    </pre>
  );
}

function Here({ file, fn }: { file: string; fn: string }) {
  const [shown, setShown] = useState<Excerpt | null | 'loading'>('loading');
  useEffect(() => {
    let live = true;
    void sourceOf(file).then((text) => live && setShown(text ? excerpt(text, fn) : null));
    return () => {
      live = false;
    };
  }, [file, fn]);
  return (
    <div className="here">
      <div className="muted small mono">
        {file} · {fn}()
      </div>
      {shown === 'loading' ? null : shown == null ? (
        <div className="muted small">{t('lessons.codeMissing')}</div>
      ) : (
        <pre className="code ts">
          {shown.lines.map((line, i) => (
            <div key={i} className="code-line">
              <span className="ln">{shown.first + i}</span>
              <span className="src">{line || ' '}</span>
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}
