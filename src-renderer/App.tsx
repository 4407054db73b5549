// The window: controls and client on the left; numbers, processes, queue, charts,
// transcripts and timeline on the right. Keyboard: space pauses, r fires again, Escape closes
// the details drawer and menus; a click outside an open menu closes it.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { keyAction } from './keyboard';
import { closeMenus } from './menus';
import { AcceptQueue } from './panels/AcceptQueue';
import { Banners } from './panels/Banners';
import { Charts } from './panels/Charts';
import { Connections } from './panels/Connections';
import { ClientPanel } from './panels/ClientPanel';
import { Controls } from './panels/Controls';
import { Counters } from './panels/Counters';
import { EmptyState } from './panels/EmptyState';
import { Header } from './panels/Header';
import { ObservePanel } from './panels/Observe';
import { Lessons } from './panels/Lessons';
import { ProcessDetails } from './panels/ProcessDetails';
import { ProcessTree } from './panels/ProcessTree';
import { Timeline } from './panels/Timeline';
import { Transcripts } from './panels/Transcripts';
import { useApp, useAppStore } from './store/react';
import { t } from './i18n';

function useKeyboard(): void {
  const store = useAppStore();
  useEffect(() => {
    const onKey = (ev: KeyboardEvent): void => {
      const el = ev.target instanceof HTMLElement ? ev.target : null;
      const action = keyAction({
        key: ev.key,
        ctrlKey: ev.ctrlKey,
        metaKey: ev.metaKey,
        altKey: ev.altKey,
        repeat: ev.repeat,
        tag: el?.tagName ?? '',
        inputType: el instanceof HTMLInputElement ? el.type : undefined,
        editable: el?.isContentEditable ?? false,
      });
      if (!action) return;
      ev.preventDefault();
      if (action === 'close') {
        closeMenus(document);
        store.getState().showDetails(null);
      } else if (action === 'pause') store.getState().togglePause();
      else void store.getState().fireAgain();
    };
    const onPointer = (ev: PointerEvent): void => {
      closeMenus(document, ev.target instanceof Node ? ev.target : null);
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [store]);
}

/** The side column shows the lessons or the server and client controls, one at a time. */
function SideTabs() {
  const lessonsOpen = useApp((s) => s.lessonsOpen);
  const openLessons = useApp((s) => s.openLessons);
  const lesson = useApp((s) => s.lesson);
  return (
    <div className="side-tabs" role="tablist">
      <button type="button" role="tab" aria-selected={lessonsOpen} className={lessonsOpen ? 'on' : ''} onClick={() => openLessons(true)} data-testid="lessons-open">
        {t('app.lessons')}
        {lesson && !lessonsOpen && <span className="dot-live" title={t('app.lessonOn')} />}
      </button>
      <button type="button" role="tab" aria-selected={!lessonsOpen} className={!lessonsOpen ? 'on' : ''} onClick={() => openLessons(false)} data-testid="controls-open">
        {t('app.controls')}
      </button>
    </div>
  );
}

export function App() {
  useKeyboard();
  // A language switch redraws every panel at once: the words are looked up as they are drawn,
  // and the tree below is keyed by the language (the store keeps all state, so nothing is lost).
  const { i18n } = useTranslation();
  const everRan = useApp((s) => s.run.running || s.timelineEnd > 0 || s.busy != null);
  const observeOpen = useApp((s) => s.observeOpen);
  const lessonsOpen = useApp((s) => s.lessonsOpen);
  return (
    <div className="app" key={i18n.language}>
      <Header />
      <Banners />
      <div className="body">
        <aside className={`side-col ${lessonsOpen ? 'with-lesson' : ''}`}>
          <SideTabs />
          <div className="side">
            {lessonsOpen ? (
              <Lessons />
            ) : (
              <>
                {observeOpen ? <ObservePanel /> : <Controls />}
                <ClientPanel />
              </>
            )}
          </div>
        </aside>
        <main className="main">
          {!everRan && <EmptyState />}
          <Counters />
          <div className="row tree-row">
            <ProcessTree />
            <AcceptQueue />
          </div>
          <Connections />
          <Charts />
          <div className="row lists-row">
            <Transcripts />
            <Timeline />
          </div>
        </main>
      </div>
      <ProcessDetails />
    </div>
  );
}
