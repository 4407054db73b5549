// The built-in client: one request, a burst (clients × connections each), raw bytes, a slow
// sender or held-open connections. Clients × connections above 1 makes it a burst.
import { t, tDynamic } from '../i18n';
import { fmtMs } from '../strings';
import { burstSize, targetUrl, type ClientKind } from '../store/forms';
import { useApp, useAppShallow } from '../store/react';
import { fireTarget } from '../store/store';
import { Panel } from './Panel';
import { NumberField } from './NumberField';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'];
const CLIENT_KINDS: ClientKind[] = ['request', 'raw', 'slow', 'hold'];

/** An outcome key of the fire summary (ok, refused, no-eof…) in words; an unknown one as it is. */
function outcomeWord(key: string): string {
  return tDynamic(`client.outcome.${key}`, { defaultValue: key });
}

/** The tone of a status class: an answer is not a success (a 503 is an answer too). */
const CLASS_TONE: Record<string, string> = { '2xx': 'ok', '3xx': '', '4xx': 'warn', '5xx': 'bad' };

/** "503 ×11, 504 ×1": the statuses of one class. */
function statusesOf(statuses: Record<string, number>, cls: string): string {
  return Object.entries(statuses)
    .filter(([code]) => `${code[0]}xx` === cls)
    .map(([code, n]) => `${code} ×${n}`)
    .join(', ');
}

function FireResult() {
  const r = useApp((s) => s.lastResult);
  const err = useApp((s) => s.lastFireError);
  if (err)
    return (
      <div className="result bad" data-testid="fire-error">
        {t('client.failed')} {err}
      </div>
    );
  if (!r) return null;
  const classes = Object.entries(r.classes ?? {}).sort((a, b) => a[0].localeCompare(b[0]));
  return (
    <div className="result" data-testid="fire-result">
      <div>
        <b>{t('client.resultTotal', { count: r.total, time: fmtMs(r.ms) })}</b>
      </div>
      {classes.length > 0 && (
        <div className="kv" data-testid="fire-answers">
          <span className="muted">{t('client.answers')}</span>
          {classes.map(([cls, n]) => (
            <span key={cls} className={`pill ${CLASS_TONE[cls] ?? ''}`} title={tDynamic(`client.classExplain.${cls}`, { defaultValue: '' })} data-class={cls}>
              {t('client.classPill', { count: n, cls, word: tDynamic(`client.classes.${cls}`, { defaultValue: '' }), statuses: statusesOf(r.statuses, cls) })}
            </span>
          ))}
        </div>
      )}
      <div className="kv">
        <span className="muted">{t('client.outcomes')}</span>
        {Object.entries(r.outcomes).map(([k, v]) => (
          <span key={k} className={`pill ${k === 'ok' || k === 'held' ? '' : 'bad'}`}>
            {outcomeWord(k)} {v}
          </span>
        ))}
      </div>
      {r.queueMs ? (
        <div className="kv small" data-testid="fire-queue-wait" title={t('explain.queueWait')}>
          {t('client.queued', { p50: fmtMs(r.queueMs.p50), max: fmtMs(r.queueMs.max), n: r.queueMs.n, total: r.total })}
        </div>
      ) : (
        r.waitMs && (
          <div className="kv small" data-testid="fire-queue-wait">
            {t('client.waited', { p50: fmtMs(r.waitMs.p50), max: fmtMs(r.waitMs.max) })}
          </div>
        )
      )}
      {r.latencyMs && (
        <div className="kv mono small">
          <span className="muted">{t('client.latency')}</span> p50 {fmtMs(r.latencyMs.p50)} · p90 {fmtMs(r.latencyMs.p90)} · p99 {fmtMs(r.latencyMs.p99)} · max {fmtMs(r.latencyMs.max)}
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
  // A master killed alone leaves orphans that may still hold the listening socket: then the
  // kernel still completes handshakes on the port, and nobody accepts them.
  const orphansListen = useApp((s) => !s.run.running && s.run.config?.childKeepsListener === true && s.procs.some((p) => p.role === 'orphan' && p.state !== 'zombie' && p.state !== 'reaped'));
  const target = useAppShallow((s) => fireTarget(s));
  const { clients, conns, total } = burstSize(f);
  const url = targetUrl(target.host, target.port, f.path || '/');
  const label =
    f.kind === 'raw' ? t('client.fireRaw') : f.kind === 'slow' ? t('client.fireSlow') : f.kind === 'hold' ? t('client.fireHold') : total > 1 ? t('client.fireBurst', { clients, conns, total }) : t('client.fireSingle');
  const kindHint = f.kind === 'raw' ? t('explain.raw') : f.kind === 'slow' ? t('explain.slow') : f.kind === 'hold' ? t('explain.hold') : t('explain.burst');

  return (
    <Panel title={t('client.heading')} className="client">
      <label className="field" title={kindHint}>
        <span>{t('client.mode')}</span>
        <select value={f.kind} onChange={(e) => set({ kind: e.target.value as ClientKind })} data-testid="client-kind">
          {CLIENT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`client.modes.${k}`)}
            </option>
          ))}
        </select>
      </label>
      {f.kind !== 'raw' && (
        <div className="row-method">
          <select value={f.method} onChange={(e) => set({ method: e.target.value })} aria-label={t('client.method')} data-testid="client-method">
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
          <input value={f.path} onChange={(e) => set({ path: e.target.value })} aria-label={t('client.path')} className="mono" data-testid="client-path" />
        </div>
      )}
      {f.kind === 'request' && (
        <>
          <details className="more-fields">
            <summary>{t('client.headersAndBody')}</summary>
            <label className="field">
              <span>{t('client.headers')}</span>
              <textarea rows={2} className="mono" value={f.headers} onChange={(e) => set({ headers: e.target.value })} data-testid="client-headers" />
            </label>
            <label className="field">
              <span>{t('client.body')}</span>
              <textarea rows={2} className="mono" value={f.body} onChange={(e) => set({ body: e.target.value })} data-testid="client-body" />
            </label>
          </details>
        </>
      )}
      {f.kind === 'raw' && (
        <label className="field" title={t('explain.raw')}>
          <span>{t('client.raw')}</span>
          <textarea rows={4} className="mono" value={f.raw} onChange={(e) => set({ raw: e.target.value })} data-testid="client-raw" />
        </label>
      )}
      {(f.kind === 'slow' || f.kind === 'hold') && (
        <div className="row2">
          {f.kind === 'slow' ? (
            <NumberField label={t('client.slowMs')} value={f.slowMs} onChange={(v) => set({ slowMs: v })} testid="client-slow-ms" />
          ) : (
            <NumberField label={t('client.holdS')} value={f.holdS} onChange={(v) => set({ holdS: v })} testid="client-hold" />
          )}
          <label className="field check">
            <input type="checkbox" checked={f.sendNothing} onChange={(e) => set({ sendNothing: e.target.checked })} />
            <span>{t('client.sendNothing')}</span>
          </label>
        </div>
      )}
      <div className="row-burst" title={t('explain.burst')}>
        <NumberField label={t('client.clients')} value={f.clients} onChange={(v) => set({ clients: v })} testid="burst-clients" />
        <span className="times">×</span>
        <NumberField label={t('client.conns')} value={f.conns} onChange={(v) => set({ conns: v })} testid="burst-conns" />
        <NumberField label={t('client.timeout')} value={f.timeoutS} onChange={(v) => set({ timeoutS: v })} testid="client-timeout" />
      </div>
      <div className="target muted small mono">{t('client.target', { url })}</div>
      {!running && <div className="muted small" data-testid="client-not-running">{orphansListen ? t('client.orphansListen') : t('client.notRunning')}</div>}
      <div className="buttons">
        <button type="button" className="primary fire" onClick={() => void fire()} data-testid="fire-button" data-mode={f.kind === 'request' ? (total > 1 ? 'burst' : 'single') : f.kind}>
          {firing > 0 ? t('client.firing') : label}
        </button>
        <button type="button" disabled={!hasLast} onClick={() => void fireAgain()} title={t('explain.again')} data-testid="fire-again">
          {t('client.again')}
        </button>
      </div>
      <FireResult />
    </Panel>
  );
}
