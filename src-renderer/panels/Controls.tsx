// The server's settings and start / stop / restart. The reap policy switches live while the
// server runs; every other change needs a restart (the panel says so).
import type { Interface, Model, ReapPolicy } from '../../server-core/events';
import * as S from '../strings';
import { BUILTIN_APPS, toRunConfig } from '../store/forms';
import { useApp } from '../store/react';
import { Panel } from './Panel';

export function Controls() {
  const form = useApp((s) => s.form);
  const setForm = useApp((s) => s.setForm);
  const setReap = useApp((s) => s.setReap);
  const running = useApp((s) => s.run.running);
  const liveReap = useApp((s) => s.run.reap);
  const busy = useApp((s) => s.busy);
  const startedWith = useApp((s) => s.startedWith);
  const start = useApp((s) => s.start);
  const stop = useApp((s) => s.stop);
  const restart = useApp((s) => s.restart);
  const command = useApp((s) => s.command);
  const locked = running || busy != null;
  const cfg = toRunConfig(form);
  const stale = running && startedWith != null && cfg.ok && JSON.stringify({ ...cfg.value, reap: JSON.parse(startedWith).reap }) !== startedWith;
  const reapValue = running && liveReap ? liveReap : form.reap;
  const zombies = useApp((s) => s.zombies.count);

  return (
    <Panel title={S.controls.heading} className="controls">
      <label className="field" title={S.models[form.model].explain}>
        <span>{S.controls.model}</span>
        <select value={form.model} disabled={locked} onChange={(e) => setForm({ model: e.target.value as Model })} data-testid="model-select">
          {(Object.keys(S.models) as Model[]).map((m) => (
            <option key={m} value={m} title={S.models[m].explain}>
              {S.models[m].label}
            </option>
          ))}
        </select>
      </label>
      <p className="why">{S.models[form.model].explain}</p>

      <div className="reap-row">
        <label className="field" title={S.reapPolicies[reapValue].explain}>
          <span>
            {S.controls.reap} {running && <span className="live-badge">live</span>}
          </span>
          <select value={reapValue} disabled={busy != null} onChange={(e) => void setReap(e.target.value as ReapPolicy)} data-testid="reap-policy">
            {(Object.keys(S.reapPolicies) as ReapPolicy[]).map((p) => (
              <option key={p} value={p} title={S.reapPolicies[p].explain}>
                {S.reapPolicies[p].label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!running} onClick={() => void command({ cmd: 'reap-now' })} title={S.explain.reapNow} data-testid="reap-now">
          {S.details.reapNow}
        </button>
      </div>
      <p className="why">{S.reapPolicies[reapValue].explain}</p>
      {running && reapValue !== 'none' && zombies > 0 && (
        <p className="why warn-text" data-testid="leftover-zombies">
          {S.controls.leftoverZombies(zombies)}
        </p>
      )}

      <div className="row2">
        <label className="field" title={S.explain.app}>
          <span>{S.controls.app}</span>
          <select value={form.appChoice} disabled={locked} onChange={(e) => setForm({ appChoice: e.target.value })} data-testid="app-select">
            {BUILTIN_APPS.map((a) => (
              <option key={a} value={a} title={S.builtinApps.find((b) => b.name === a)?.explain}>
                {a}
              </option>
            ))}
            <option value="custom">{S.controls.customApp}</option>
          </select>
        </label>
        <label className="field" title={S.explain.port}>
          <span>{S.controls.port}</span>
          <input inputMode="numeric" value={form.port} disabled={locked} onChange={(e) => setForm({ port: e.target.value })} data-testid="server-port" />
        </label>
      </div>
      {form.appChoice !== 'custom' ? (
        <p className="why">{S.builtinApps.find((b) => b.name === form.appChoice)?.explain}</p>
      ) : (
        <>
          <label className="field" title={S.explain.app}>
            <input value={form.customApp} placeholder={S.controls.customAppPlaceholder} disabled={locked} onChange={(e) => setForm({ customApp: e.target.value })} data-testid="custom-app" />
          </label>
          <label className="field" title={S.explain.interface}>
            <span>{S.controls.interface}</span>
            <select value={form.interface} disabled={locked} onChange={(e) => setForm({ interface: e.target.value as Interface })} data-testid="interface-select">
              {(Object.keys(S.interfaces) as Interface[]).map((i) => (
                <option key={i} value={i} title={S.interfaces[i].explain}>
                  {S.interfaces[i].label}
                </option>
              ))}
            </select>
          </label>
        </>
      )}

      <div className="row2">
        <label className="field" title={S.explain.backlog}>
          <span>{S.controls.backlog}</span>
          <input inputMode="numeric" value={form.backlog} disabled={locked} onChange={(e) => setForm({ backlog: e.target.value })} data-testid="backlog-input" />
        </label>
        <label className="field check" title={S.explain.keepAlive}>
          <input type="checkbox" checked={form.keepAlive} disabled={locked} onChange={(e) => setForm({ keepAlive: e.target.checked })} />
          <span>{S.controls.keepAlive}</span>
        </label>
      </div>
      {form.model === 'prefork' && (
        <div className="row2">
          <label className="field" title={S.explain.workers}>
            <span>{S.controls.workers}</span>
            <input inputMode="numeric" value={form.workers} disabled={locked} onChange={(e) => setForm({ workers: e.target.value })} data-testid="workers-input" />
          </label>
          <label className="field" title={S.explain.maxRequests}>
            <span>{S.controls.maxRequests}</span>
            <input inputMode="numeric" value={form.maxRequests} disabled={locked} onChange={(e) => setForm({ maxRequests: e.target.value })} data-testid="max-requests-input" />
          </label>
        </div>
      )}

      <fieldset className="fd-switches">
        <legend>{S.controls.fdSwitches}</legend>
        <label className="check" title={S.explain.parentKeepsConn}>
          <input type="checkbox" checked={form.parentKeepsConn} disabled={locked} onChange={(e) => setForm({ parentKeepsConn: e.target.checked })} data-testid="parent-keeps-conn" />
          <span>{S.controls.parentKeepsConn}</span>
        </label>
        <label className="check" title={S.explain.childKeepsListener}>
          <input type="checkbox" checked={form.childKeepsListener} disabled={locked} onChange={(e) => setForm({ childKeepsListener: e.target.checked })} data-testid="child-keeps-listener" />
          <span>{S.controls.childKeepsListener}</span>
        </label>
        <label className="field inline" title={S.explain.nofile}>
          <span>{S.controls.nofile}</span>
          <input inputMode="numeric" value={form.nofile} placeholder={S.controls.nofilePlaceholder} disabled={locked} onChange={(e) => setForm({ nofile: e.target.value })} data-testid="nofile-input" />
        </label>
        {running && form.parentKeepsConn && (
          <button type="button" className="ghost" onClick={() => void command({ cmd: 'release-fds' })} title={S.explain.parentKeepsConn} data-testid="release-fds">
            release kept fds
          </button>
        )}
      </fieldset>

      <details className="more-fields">
        <summary>{S.controls.more}</summary>
        <div className="row3">
          <label className="field" title={S.explain.maxZombies}>
            <span>{S.controls.maxZombies}</span>
            <input inputMode="numeric" value={form.maxZombies} placeholder={S.controls.defaultPlaceholder} disabled={locked} onChange={(e) => setForm({ maxZombies: e.target.value })} data-testid="max-zombies-input" />
          </label>
          <label className="field" title={S.explain.workerTimeout}>
            <span>{S.controls.workerTimeout}</span>
            <input inputMode="numeric" value={form.workerTimeoutS} placeholder={S.controls.defaultPlaceholder} disabled={locked} onChange={(e) => setForm({ workerTimeoutS: e.target.value })} data-testid="worker-timeout-input" />
          </label>
          <label className="field" title={S.explain.readTimeout}>
            <span>{S.controls.readTimeout}</span>
            <input inputMode="numeric" value={form.readTimeoutS} placeholder={S.controls.defaultPlaceholder} disabled={locked} onChange={(e) => setForm({ readTimeoutS: e.target.value })} data-testid="read-timeout-input" />
          </label>
        </div>
      </details>

      {!cfg.ok && <p className="form-error">{cfg.error}</p>}
      {stale && <p className="why warn-text">{S.controls.restartToApply}</p>}

      <div className="buttons">
        <button type="button" className="primary" disabled={running || busy != null || !cfg.ok} onClick={() => void start()} data-testid="server-start">
          {busy === 'starting' ? S.controls.starting : `▶ ${S.controls.start}`}
        </button>
        <button type="button" disabled={!running || busy != null} onClick={() => void stop()} data-testid="server-stop">
          {busy === 'stopping' ? S.controls.stopping : `■ ${S.controls.stop}`}
        </button>
        <button type="button" disabled={!running || busy != null || !cfg.ok} onClick={() => void restart()} data-testid="server-restart">
          ↻ {S.controls.restart}
        </button>
      </div>
    </Panel>
  );
}
