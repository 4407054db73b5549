// The window: controls and client on the left; numbers, processes, queue, charts,
// transcripts and timeline on the right; the replay bar above them while a recording is shown.
// Keyboard: space pauses (plays a replay), r fires again, Escape closes the details drawer and
// menus (a click outside an open menu closes it), Ctrl/⌘+S saves, ← → step a replay.
import { useEffect, useState } from 'react';
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
import { openFile } from './panels/RecordButtons';
import { ReplayBar } from './panels/ReplayBar';
import { SaveDialog } from './panels/SaveDialog';
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
      const state = store.getState();
      const replaying = state.replay !== null;
      if ((action === 'back' || action === 'forward') && !replaying) return;
      ev.preventDefault();
      if (action === 'close') {
        closeMenus(document);
        state.showDetails(null);
      } else if (action === 'save') state.askSave();
      else if (action === 'back') state.stepReplay(-1);
      else if (action === 'forward') state.stepReplay(1);
      else if (action === 'pause') {
        if (replaying) state.togglePlay();
        else state.togglePause();
      } else if (!replaying) void state.fireAgain();
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

/** A recording dropped anywhere on the window opens. */
function useDrop(): boolean {
  const store = useAppStore();
  const [over, setOver] = useState(false);
  useEffect(() => {
    const hasFiles = (ev: DragEvent): boolean => Array.from(ev.dataTransfer?.types ?? []).includes('Files');
    const onOver = (ev: DragEvent): void => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      setOver(true);
    };
    const onLeave = (ev: DragEvent): void => {
      if (ev.relatedTarget === null) setOver(false);
    };
    const onDrop = (ev: DragEvent): void => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      setOver(false);
      const file = ev.dataTransfer?.files[0];
      if (file) void openFile(store, file);
    };
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [store]);
  return over;
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
  const dropping = useDrop();
  const replaying = useApp((s) => s.replay !== null);
  // A language switch redraws every panel at once: the words are looked up as they are drawn,
  // and the tree below is keyed by the language (the store keeps all state, so nothing is lost).
  const { i18n } = useTranslation();
  const everRan = useApp((s) => s.run.running || s.timelineEnd > 0 || s.busy != null);
  const observeOpen = useApp((s) => s.observeOpen);
  const lessonsOpen = useApp((s) => s.lessonsOpen);
  return (
    <div className="app" key={i18n.language}>
      <Header />
      <ReplayBar />
      <Banners />
      <div className="body">
        <aside className={`side-col ${lessonsOpen ? 'with-lesson' : ''}`}>
          <SideTabs />
          {/* In replay the live controls stay in view, greyed out: the recording cannot be steered. */}
          {replaying && (
            <p className="replay-off" data-testid="replay-off">
              {t('replay.liveOff')}
            </p>
          )}
          <div className="side">
            <fieldset className="live-controls" disabled={replaying}>
              {lessonsOpen ? (
                <Lessons />
              ) : (
                <>
                  {observeOpen ? <ObservePanel /> : <Controls />}
                  <ClientPanel />
                </>
              )}
            </fieldset>
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
      <SaveDialog />
      {dropping && (
        <div className="drop-zone" aria-hidden="true">
          {t('record.dropHere')}
        </div>
      )}
    </div>
  );
}
