// The built-in client: one request, a burst (clients × connections each), raw bytes, a slow
// sender or held-open connections. Clients × connections above 1 makes it a burst.
import * as S from '../strings';
import { burstSize, targetUrl, type ClientKind } from '../store/forms';
import { useApp, useAppShallow } from '../store/react';
import { fireTarget } from '../store/store';
import { Panel } from './Panel';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'];

function FireResult() {
  const r = useApp((s) => s.lastResult);
  const err = useApp((s) => s.lastFireError);
  if (err)
    return (
      <div className="result bad" data-testid="fire-error">
        {S.client.failed} {err}
      </div>
    );
  if (!r) return null;
  return (
    <div className="result" data-testid="fire-result">
      <div>
        <b>{S.client.resultTotal(r.total, r.ms)}</b>
      </div>
      <div className="kv">
        <span className="muted">{S.client.outcomes}</span>
        {Object.entries(r.outcomes).map(([k, v]) => (
          <span key={k} className={`pill ${k === 'ok' ? 'ok' : 'bad'}`}>
            {k} {v}
          </span>
        ))}
      </div>
      {Object.keys(r.statuses).length > 0 && (
        <div className="kv">
          <span className="muted">{S.client.statuses}</span>
          {Object.entries(r.statuses).map(([k, v]) => (
            <span key={k} className={`pill ${Number(k) < 400 ? 'ok' : 'bad'}`}>
              {k} × {v}
            </span>
          ))}
        </div>
      )}
      {r.latencyMs && (
        <div className="kv mono small">
          <span className="muted">{S.client.latency}</span> p50 {S.fmtMs(r.latencyMs.p50)} · p90 {S.fmtMs(r.latencyMs.p90)} · p99 {S.fmtMs(r.latencyMs.p99)} · max {S.fmtMs(r.latencyMs.max)}
        </div>
      )}
      {r.errors.map((e) => (
        <div key={e.code} className="err-line">
          <b>
            {e.code} × {e.count}
          </b>{' '}
          — {e.explanation}
        </div>
      ))}
    </div>
  );
}

export function ClientPanel() {
  const f = useApp((s) => s.clientForm);
  const set = useApp((s) => s.setClientForm);
  const fire = useApp((s) => s.fire);
  const fireAgain = useApp((s) => s.fireAgain);
  const firing = useApp((s) => s.firing);
  const hasLast = useApp((s) => s.lastFire != null);
  const running = useApp((s) => s.run.running);
  const target = useAppShallow((s) => fireTarget(s));
  const { clients, conns, total } = burstSize(f);
  const url = targetUrl(target.host, target.port, f.path || '/');
  const label =
    f.kind === 'raw' ? S.client.fireRaw : f.kind === 'slow' ? S.client.fireSlow : f.kind === 'hold' ? S.client.fireHold : total > 1 ? S.client.fireBurst(clients, conns) : S.client.fireSingle;
  const kindHint = f.kind === 'raw' ? S.explain.raw : f.kind === 'slow' ? S.explain.slow : f.kind === 'hold' ? S.explain.hold : S.explain.burst;

  return (
    <Panel title={S.client.heading} className="client">
      <label className="field" title={kindHint}>
        <span>{S.client.mode}</span>
        <select value={f.kind} onChange={(e) => set({ kind: e.target.value as ClientKind })} data-testid="client-kind">
          {(Object.keys(S.client.modes) as ClientKind[]).map((k) => (
            <option key={k} value={k}>
              {S.client.modes[k]}
            </option>
          ))}
        </select>
      </label>
      {f.kind !== 'raw' && (
        <div className="row-method">
          <select value={f.method} onChange={(e) => set({ method: e.target.value })} aria-label={S.client.method} data-testid="client-method">
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
          <input value={f.path} onChange={(e) => set({ path: e.target.value })} aria-label={S.client.path} className="mono" data-testid="client-path" />
        </div>
      )}
      {f.kind === 'request' && (
        <>
          <details className="more-fields">
            <summary>
              {S.client.headers} / {S.client.body}
            </summary>
            <label className="field">
              <span>{S.client.headers}</span>
              <textarea rows={2} className="mono" value={f.headers} onChange={(e) => set({ headers: e.target.value })} data-testid="client-headers" />
            </label>
            <label className="field">
              <span>{S.client.body}</span>
              <textarea rows={2} className="mono" value={f.body} onChange={(e) => set({ body: e.target.value })} data-testid="client-body" />
            </label>
          </details>
        </>
      )}
      {f.kind === 'raw' && (
        <label className="field" title={S.explain.raw}>
          <span>{S.client.raw}</span>
          <textarea rows={4} className="mono" value={f.raw} onChange={(e) => set({ raw: e.target.value })} data-testid="client-raw" />
        </label>
      )}
      {f.kind === 'slow' && (
        <div className="row2">
          <label className="field">
            <span>{S.client.slowMs}</span>
            <input inputMode="numeric" value={f.slowMs} onChange={(e) => set({ slowMs: e.target.value })} data-testid="client-slow-ms" />
          </label>
          <label className="field check">
            <input type="checkbox" checked={f.sendNothing} onChange={(e) => set({ sendNothing: e.target.checked })} />
            <span>{S.client.sendNothing}</span>
          </label>
        </div>
      )}
      {f.kind === 'hold' && (
        <label className="field">
          <span>{S.client.holdS}</span>
          <input inputMode="numeric" value={f.holdS} onChange={(e) => set({ holdS: e.target.value })} data-testid="client-hold" />
        </label>
      )}
      <div className="row-burst" title={S.explain.burst}>
        <label className="field">
          <span>{S.client.clients}</span>
          <input inputMode="numeric" value={f.clients} onChange={(e) => set({ clients: e.target.value })} data-testid="burst-clients" />
        </label>
        <span className="times">×</span>
        <label className="field">
          <span>{S.client.conns}</span>
          <input inputMode="numeric" value={f.conns} onChange={(e) => set({ conns: e.target.value })} data-testid="burst-conns" />
        </label>
        <label className="field">
          <span>{S.client.timeout}</span>
          <input inputMode="numeric" value={f.timeoutS} onChange={(e) => set({ timeoutS: e.target.value })} data-testid="client-timeout" />
        </label>
      </div>
      <div className="target muted small mono">{S.client.target(url)}</div>
      {!running && <div className="muted small">{S.client.notRunning}</div>}
      <div className="buttons">
        <button type="button" className="primary fire" onClick={() => void fire()} data-testid="fire-button" data-mode={f.kind === 'request' ? (total > 1 ? 'burst' : 'single') : f.kind}>
          {firing > 0 ? S.client.firing : label}
        </button>
        <button type="button" disabled={!hasLast} onClick={() => void fireAgain()} title={S.explain.again} data-testid="fire-again">
          {S.client.again}
        </button>
      </div>
      <FireResult />
    </Panel>
  );
}
