// The window: controls and client on the left; numbers, processes, queue, charts,
// transcripts and timeline on the right. Keyboard: space pauses, r fires again.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { keyAction } from './keyboard';
import { AcceptQueue } from './panels/AcceptQueue';
import { Banners } from './panels/Banners';
import { Charts } from './panels/Charts';
import { ClientPanel } from './panels/ClientPanel';
import { Controls } from './panels/Controls';
import { Counters } from './panels/Counters';
import { EmptyState } from './panels/EmptyState';
import { Header } from './panels/Header';
import { ProcessDetails } from './panels/ProcessDetails';
import { ProcessTree } from './panels/ProcessTree';
import { Timeline } from './panels/Timeline';
import { Transcripts } from './panels/Transcripts';
import { useApp, useAppStore } from './store/react';

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
      if (action === 'pause') store.getState().togglePause();
      else void store.getState().fireAgain();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}

export function App() {
  useKeyboard();
  // A language switch redraws every panel at once: the words are looked up as they are drawn,
  // and the tree below is keyed by the language (the store keeps all state, so nothing is lost).
  const { i18n } = useTranslation();
  const everRan = useApp((s) => s.run.running || s.timelineEnd > 0 || s.busy != null);
  return (
    <div className="app" key={i18n.language}>
      <Header />
      <Banners />
      <div className="body">
        <aside className="side">
          <Controls />
          <ClientPanel />
        </aside>
        <main className="main">
          {!everRan && <EmptyState />}
          <Counters />
          <div className="row tree-row">
            <ProcessTree />
            <AcceptQueue />
          </div>
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
