// The lessons: the tutorial's steps in order, each a few steps of explain / predict / do /
// check. Checks are decided by the store on what the kernel reported (store/lessons.ts); this
// panel shows where the learner is, the tutorial's code beside it, and what to try next.
import { useTranslation } from 'react-i18next';
import { t, tDynamic } from '../i18n';
import { LESSONS, lessonById, lessonNs } from '../lessons';
import type { FireRecord, Lesson, Step } from '../lessons/types';
import { fmtMs } from '../strings';
import { useApp } from '../store/react';
import { LessonCode } from './LessonCode';
import { RichText } from './RichText';

export function Lessons() {
  const current = useApp((s) => s.lesson);
  const lesson = current ? lessonById(current) : null;
  return <section className="panel lessons-panel">{lesson ? <LessonView lesson={lesson} /> : <LessonList />}</section>;
}

function LessonList() {
  const progress = useApp((s) => s.progress);
  const startLesson = useApp((s) => s.startLesson);
  const resetProgress = useApp((s) => s.resetProgress);
  const busy = useApp((s) => s.busy);
  const next = LESSONS.find((l) => !progress[l.id]?.done);
  return (
    <div className="lesson-list">
      <header className="panel-head">
        <h2>{t('lessons.heading')}</h2>
      </header>
      <p className="why">{t('lessons.intro')}</p>
      <ol>
        {LESSONS.map((l, i) => {
          const p = progress[l.id];
          return (
            <li key={l.id}>
              <button
                type="button"
                className={`lesson-item ${p?.done ? 'done' : ''} ${next?.id === l.id ? 'next' : ''}`}
                disabled={busy != null}
                onClick={() => void startLesson(l.id)}
                data-testid="lesson-item"
                data-lesson={l.id}
                data-done={p?.done ? 'true' : 'false'}
              >
                <span className="lesson-n">{p?.done ? '✓' : i + 1}</span>
                <span className="lesson-title">
                  <b>{tDynamic('title', { ns: lessonNs(l.id) })}</b>
                  <span className="muted small">{t(`parts.${l.part}`)}</span>
                </span>
                {p && !p.done && p.step > 0 && <span className="muted small">{t('lessons.resume', { step: p.step + 1 })}</span>}
                {next?.id === l.id && !p?.step && <span className="begin">{t('lessons.begin')}</span>}
              </button>
            </li>
          );
        })}
      </ol>
      <button type="button" className="ghost small" onClick={resetProgress} data-testid="lesson-reset">
        {t('lessons.reset')}
      </button>
    </div>
  );
}

function LessonView({ lesson }: { lesson: Lesson }) {
  useTranslation();
  const ns = lessonNs(lesson.id);
  const step = useApp((s) => s.step);
  const leave = useApp((s) => s.leaveLesson);
  const finish = useApp((s) => s.finishLesson);
  const goToStep = useApp((s) => s.goToStep);
  const s = lesson.steps[step];
  const last = step === lesson.steps.length - 1;
  const starting = useApp((st) => st.lessonStarting);
  const canGoOn = useCanGoOn(s) && !starting;
  return (
    <div className="lesson">
      <header className="panel-head lesson-head">
        <button type="button" className="ghost" onClick={leave} title={t('lessons.allHint')} data-testid="lesson-leave">
          ‹ {t('lessons.all')}
        </button>
        <span className="muted small">{t('lessons.stepOf', { step: step + 1, total: lesson.steps.length })}</span>
      </header>
      <h2 className="lesson-name">{tDynamic('title', { ns })}</h2>
      <div className="muted small">{t(`parts.${lesson.part}`)}</div>
      <ol className="step-dots" aria-hidden="true">
        {lesson.steps.map((x, i) => (
          <li key={x.id} className={`${i < step ? 'past' : ''} ${i === step ? 'now' : ''} k-${x.kind}`} />
        ))}
      </ol>
      {starting ? <div className="muted small lesson-starting">{t('lessons.starting')}</div> : <StepCard lesson={lesson} step={s} />}
      <div className="lesson-nav">
        <button type="button" disabled={step === 0 || starting} onClick={() => goToStep(step - 1)} data-testid="lesson-back">
          ‹ {t('lessons.back')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!canGoOn}
          onClick={() => (last ? finish() : goToStep(step + 1))}
          data-testid="lesson-next"
        >
          {last ? t('lessons.finish') : `${t('lessons.next')} ›`}
        </button>
      </div>
      <LessonCode lesson={lesson} />
    </div>
  );
}

/** Next is open after an explanation, a prediction made, a `do` step (done here or by hand), or a check passed. */
function useCanGoOn(s: Step): boolean {
  const predicted = useApp((st) => st.predictions[s.id] != null);
  const check = useApp((st) => st.check.state);
  switch (s.kind) {
    case 'explain':
    case 'do':
      return true;
    case 'predict':
      return predicted;
    case 'check':
      return check === 'pass';
  }
}

function StepCard({ lesson, step }: { lesson: Lesson; step: Step }) {
  const ns = lessonNs(lesson.id);
  const key = (k: string) => `steps.${step.id}.${k}`;
  return (
    <div className={`lesson-step k-${step.kind}`} data-testid="lesson-step" data-kind={step.kind} data-step={step.id}>
      <div className="step-kind">{t(`lessons.kinds.${step.kind}`)}</div>
      <h3>{tDynamic(key('title'), { ns })}</h3>
      <RichText text={tDynamic(key('body'), { ns })} />
      {step.kind === 'predict' && <Predict lesson={lesson} step={step} />}
      {step.kind === 'do' && <Do lesson={lesson} step={step} />}
      {step.kind === 'check' && <Check lesson={lesson} step={step} />}
    </div>
  );
}

function Predict({ lesson, step }: { lesson: Lesson; step: Extract<Step, { kind: 'predict' }> }) {
  const ns = lessonNs(lesson.id);
  const chosen = useApp((s) => s.predictions[step.id]);
  const choose = useApp((s) => s.choose);
  return (
    <div className="choices" role="radiogroup">
      {step.choices.map((c) => (
        <button
          key={c}
          type="button"
          role="radio"
          aria-checked={chosen === c}
          className={`choice ${chosen === c ? 'chosen' : ''}`}
          onClick={() => choose(step.id, c)}
          data-testid="lesson-choice"
          data-choice={c}
        >
          {tDynamic(`steps.${step.id}.choices.${c}`, { ns })}
        </button>
      ))}
      {chosen && <div className="muted small">{t('lessons.revealLater')}</div>}
    </div>
  );
}

function Do({ lesson, step }: { lesson: Lesson; step: Extract<Step, { kind: 'do' }> }) {
  const doStep = useApp((s) => s.doStep);
  const done = useApp((s) => s.done);
  // A restart waits for fires in flight (a measurement would be cut short); anything else may
  // go while a client still waits — releasing the fds it waits for, say.
  const restarts = step.action.kind === 'start';
  const busy = useApp((s) => s.busy != null || (restarts && s.firing > 0));
  return (
    <div className="do">
      <button type="button" className="primary" disabled={busy} onClick={() => void doStep()} data-testid="lesson-do">
        ▶ {tDynamic(`steps.${step.id}.button`, { ns: lessonNs(lesson.id) })}
      </button>
      {done && <span className="ok-text small"> ✓ {t('lessons.doneHint')}</span>}
      {!done && <div className="muted small">{t('lessons.byHand')}</div>}
    </div>
  );
}

function Check({ lesson, step }: { lesson: Lesson; step: Extract<Step, { kind: 'check' }> }) {
  const ns = lessonNs(lesson.id);
  const check = useApp((s) => s.check);
  const showMe = useApp((s) => s.showMe);
  const busy = useApp((s) => s.busy != null || s.firing > 0);
  return (
    <div className="check">
      <div className={`check-state ${check.state}`} data-testid="lesson-check" data-state={check.state}>
        {check.state === 'waiting' && (
          <span>
            <span className="checking-dot" aria-hidden="true" /> {t('lessons.checking')}
          </span>
        )}
        {check.state === 'pass' && <span>✓ {tDynamic(`steps.${step.id}.passed`, { ns })}</span>}
        {check.state === 'fail' && <span>✗ {t('lessons.notYet')}</span>}
      </div>
      {check.state === 'fail' && (
        <div className="hint-text small">
          {t('lessons.hint')}: {check.hint ? tDynamic(`hints.${check.hint}`, { ns }) : tDynamic(`steps.${step.id}.hint`, { ns })}
        </div>
      )}
      {check.state === 'pass' && <Reveal lesson={lesson} checkId={step.id} />}
      {step.fires && <Fires />}
      {check.state !== 'pass' && (
        <button type="button" className="ghost" disabled={busy} onClick={() => void showMe()} data-testid="lesson-show-me">
          {t('lessons.showMe')}
        </button>
      )}
    </div>
  );
}

/** The prediction made for this check, compared with what the kernel showed. */
function Reveal({ lesson, checkId }: { lesson: Lesson; checkId: string }) {
  const ns = lessonNs(lesson.id);
  const predict = lesson.steps.find((s): s is Extract<Step, { kind: 'predict' }> => s.kind === 'predict' && s.reveal === checkId);
  const chosen = useApp((s) => (predict ? s.predictions[predict.id] : undefined));
  if (!predict) return null;
  const right = chosen === predict.answer;
  const label = (c: string) => tDynamic(`steps.${predict.id}.choices.${c}`, { ns });
  return (
    <div className={`reveal ${chosen == null ? '' : right ? 'right' : 'wrong'}`} data-testid="lesson-reveal">
      <div>
        {chosen == null
          ? t('lessons.answerWas', { answer: label(predict.answer) })
          : right
            ? t('lessons.guessRight', { choice: label(chosen) })
            : t('lessons.guessWrong', { choice: label(chosen), answer: label(predict.answer) })}
      </div>
      <div className="muted small">{tDynamic(`steps.${predict.id}.why`, { ns })}</div>
    </div>
  );
}

/** Fires measured in this lesson, side by side (requests per second from the client's own clock). */
function Fires() {
  const fires = useApp((s) => s.lessonFires);
  if (fires.length === 0) return null;
  return (
    <table className="fires" data-testid="lesson-fires">
      <thead>
        <tr>
          <th>{t('lessons.fires.model')}</th>
          <th>{t('lessons.fires.requests')}</th>
          <th>{t('lessons.fires.time')}</th>
          <th>{t('lessons.fires.rps')}</th>
        </tr>
      </thead>
      <tbody>
        {fires.map((f, i) => (
          <tr key={i} data-model={f.model ?? ''}>
            <td>{f.model ? t(`models.${f.model as 'fork'}.label`) : '—'}</td>
            <td className="mono">{okCount(f)}/{f.total}</td>
            <td className="mono">{fmtMs(f.ms)}</td>
            <td className="mono">
              <b>{f.ms > 0 ? Math.round((okCount(f) * 1000) / f.ms) : '—'}</b>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const okCount = (f: FireRecord): number => f.statuses['200'] ?? 0;
