// The top bar: what is running, the bridge's health, and pause.
import { TOKEN_PARAM } from '../../src-main/ipc/ws-protocol';
import * as S from '../strings';
import { useApp } from '../store/react';

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
        <strong>{S.app.title}</strong>
        <span className="muted">{S.app.tagline}</span>
      </div>
      <div className={`runstate ${run.running ? 'on' : 'off'}`} data-testid="run-state">
        <span className="dot" />
        {run.running && run.master ? (
          <>
            <span>running</span>
            {model && (
              <span className="tag" title={S.models[model].explain}>
                {S.models[model].label}
              </span>
            )}
            <span className="mono">
              {run.master.host}:{run.master.port}
            </span>
            {run.reap && (
              <span className="tag" title={S.reapPolicies[run.reap].explain}>
                reap: {run.reap}
              </span>
            )}
            <span className="muted mono">master {run.master.pid}</span>
          </>
        ) : run.running ? (
          <span>starting…</span>
        ) : (
          <span>stopped</span>
        )}
      </div>
      <div className="topbar-right">
        {connection !== 'open' && (
          <span className={`conn ${connection}`} data-testid="connection-state">
            {connection === 'lost' && !hasToken() ? S.app.noToken : connection === 'lost' ? S.app.disconnected : S.app.connecting}
          </span>
        )}
        <span className="muted keys">{S.app.keys}</span>
        <button type="button" className={`pause ${paused ? 'paused' : ''}`} onClick={togglePause} title={S.explain.pause} data-testid="pause-button">
          {paused ? `▶ ${S.app.resumeButton}${held ? ` (${held} new)` : ''}` : `❚❚ ${S.app.pauseButton}`}
        </button>
      </div>
    </header>
  );
}
