// The top bar: what is running, the bridge's health, and pause.
import { TOKEN_PARAM } from '../../src-main/ipc/ws-protocol';
import { LANGUAGE_NAMES, LANGUAGES, language, setLanguage, t, type Language } from '../i18n';
import { useApp } from '../store/react';
import { RecordButtons } from './RecordButtons';

/** Browser mode needs the token from `forkscope web`'s address; Electron has no such thing. */
function hasToken(): boolean {
  if (typeof window === 'undefined' || window.forkscope) return true;
  return new URLSearchParams(window.location.search).has(TOKEN_PARAM);
}

export function Header() {
  const run = useApp((s) => s.run);
  const connection = useApp((s) => s.connection);
  const paused = useApp((s) => s.paused);
  const held = useApp((s) => s.held);
  const togglePause = useApp((s) => s.togglePause);
  const replaying = useApp((s) => s.replay !== null);
  const model = run.listening?.model ?? run.config?.model;
  return (
    <header className="topbar">
      <div className="brand">
        <svg className="logo" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="6" cy="5" r="2.2" fill="none" stroke="currentColor" strokeWidth="2" />
          <circle cx="6" cy="19" r="2.2" fill="none" stroke="currentColor" strokeWidth="2" />
          <circle cx="18" cy="7" r="2.2" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M6 7.2v9.6M18 9.2c0 4-12 3-12 7.6" fill="none" stroke="currentColor" strokeWidth="2" />
        </svg>
        <strong>{t('app.title')}</strong>
        <span className="muted">{t('app.tagline')}</span>
      </div>
      <div className={`runstate ${run.running ? 'on' : 'off'}`} data-testid="run-state">
        <span className="dot" />
        {replaying && <span className="tag replay-tag">{t('replay.label')}</span>}
        {run.running && run.master && run.observed ? (
          <>
            <span>{t('observe.running')}</span>
            <span className="tag" title={t('observe.hint')}>
              {t('observe.tag')}
            </span>
            <span className="mono">
              {run.master.host}:{run.master.port}
            </span>
            <span className="muted mono">{t('observe.serverPid', { pid: run.master.pid })}</span>
          </>
        ) : run.running && run.master ? (
          <>
            <span>{t('app.running')}</span>
            {model && (
              <span className="tag" title={t(`models.${model}.explain`)}>
                {t(`models.${model}.label`)}
              </span>
            )}
            <span className="mono">
              {run.master.host}:{run.master.port}
            </span>
            {run.reap && (
              <span className="tag" title={t(`reapPolicies.${run.reap}.explain`)}>
                {t('app.reapTag', { policy: run.reap })}
              </span>
            )}
            <span className="muted mono">{t('app.master', { pid: run.master.pid })}</span>
          </>
        ) : run.running ? (
          <span>{t('app.starting')}</span>
        ) : (
          <span>{t('app.stopped')}</span>
        )}
      </div>
      <div className="topbar-right">
        {connection !== 'open' && (
          <span className={`conn ${connection}`} data-testid="connection-state">
            {connection === 'lost' && !hasToken() ? t('app.noToken') : connection === 'lost' ? t('app.disconnected') : t('app.connecting')}
          </span>
        )}
        <RecordButtons />
        <span className="muted keys">{t('app.keys')}</span>
        <select className="lang" value={language()} onChange={(e) => setLanguage(e.target.value as Language)} aria-label={t('app.language')} title={t('explain.language')} data-testid="lang-select">
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {LANGUAGE_NAMES[l]}
            </option>
          ))}
        </select>
        {!replaying && (
          <button type="button" className={`pause ${paused ? 'paused' : ''}`} onClick={togglePause} title={t('explain.pause')} data-testid="pause-button">
            {paused ? `▶ ${held ? t('app.resumeHeld', { count: held }) : t('app.resumeButton')}` : `❚❚ ${t('app.pauseButton')}`}
          </button>
        )}
      </div>
    </header>
  );
}
