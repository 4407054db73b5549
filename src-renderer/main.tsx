// Entry: pick the Bridge (preload or WebSocket), create the store, feed it outside React,
// render once.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import { i18n, startLanguage } from './i18n';
import { pickBridge } from './bridge';
import { perf } from './perf';
import { connectFeed } from './store/feed';
import { StoreContext } from './store/react';
import { createAppStore } from './store/store';
import './styles.css';

startLanguage();
const picked = pickBridge();
const store = createAppStore(picked.bridge, { params: new URLSearchParams(location.search) });
if (picked.ws) picked.ws.onStatus((s) => store.getState().setConnection(s === 'open' ? 'open' : 'lost'));
connectFeed(store, picked.bridge, { onReconnect: picked.ws ? (l) => picked.ws!.onReconnect(l) : undefined });
// `--open FILE` on the command line: show that recording (a page that asks gets it once it is up).
picked.bridge.invoke('recording:opened', null).then(
  (file) => {
    if (file) void store.getState().openRecordingText(file.text, file.name);
  },
  () => {},
);

perf.startFrames();
(window as unknown as { __forkscopePerf: typeof perf }).__forkscopePerf = perf;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </I18nextProvider>
  </StrictMode>,
);
