// The server's settings and start / stop / restart. The reap policy switches live while the
// server runs; every other change needs a restart (the panel says so).
import type { Interface, Model, ReapPolicy } from '../../server-core/events';

import { useEffect, useState } from 'react';
import { t } from '../i18n';
import { BUILTIN_APPS, toRunConfig, type BuiltinApp } from '../store/forms';
import { useApp } from '../store/react';
import { Panel } from './Panel';
import { Refusal, useRefusal } from './Refusal';
import { plain, RichText } from './RichText';
import { NumberField } from './NumberField';

const MODELS: Model[] = ['iterative', 'fork', 'prefork'];
const REAP_POLICIES: ReapPolicy[] = ['none', 'wait', 'loop'];
const INTERFACES: Interface[] = ['wsgi', 'fetch', 'node'];

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
  const openObserve = useApp((s) => s.setObserveOpen);
  const locked = running || busy != null;
  const cfg = toRunConfig(form);
  const stale = running && startedWith != null && cfg.ok && JSON.stringify({ ...cfg.value, reap: JSON.parse(startedWith).reap }) !== startedWith;
  const reapValue = running && liveReap ? liveReap : form.reap;
  const zombies = useApp((s) => s.zombies.count);
  // Refusals are said beside the control that was used.
  const [reapWhy, runReap] = useRefusal();
  const [fdsWhy, runFds] = useRefusal();
  // Descriptor lessons and limits fold away, but never hide a setting that is in force.
  const anyMore = form.parentKeepsConn || form.childKeepsListener || form.nofile !== '' || form.maxZombies !== '' || form.workerTimeoutS !== '' || form.readTimeoutS !== '' || form.bodyTimeoutS !== '';
  const [moreOpen, setMoreOpen] = useState(anyMore);
  const workersKind = form.workerConnections.trim() === '1' ? 'controls.syncWorkers' : 'controls.asyncWorkers';
  useEffect(() => {
    if (anyMore) setMoreOpen(true);
  }, [anyMore]);

  return (
    <Panel
      title={t('controls.heading')}
      className="controls"
      right={
        <button type="button" className="head-button" disabled={busy != null} onClick={() => openObserve(true)} title={t('observe.hint')} data-testid="observe-open">
          {t('observe.open')}
        </button>
      }
    >
      <label className="field" title={t(`models.${form.model}.explain`)}>
        <span>{t('controls.model')}</span>
        <select value={form.model} disabled={locked} onChange={(e) => setForm({ model: e.target.value as Model })} data-testid="model-select">
          {MODELS.map((m) => (
            <option key={m} value={m} title={t(`models.${m}.explain`)}>
              {t(`models.${m}.label`)}
            </option>
          ))}
        </select>
      </label>
      <p className="why clamp" title={t(`models.${form.model}.explain`)}>{t(`models.${form.model}.explain`)}</p>

      <div className="reap-row">
        <label htmlFor="reap-policy" title={t(`reapPolicies.${reapValue}.explain`)}>
          {t('controls.reap')} {running && <span className="live-badge">{t('controls.live')}</span>}
        </label>
        <button type="button" disabled={!running} onClick={() => runReap(command({ cmd: 'reap-now' }))} title={t('explain.reapNow')} data-testid="reap-now">
          {t('details.reapNow')}
        </button>
        <select id="reap-policy" value={reapValue} disabled={busy != null} onChange={(e) => runReap(setReap(e.target.value as ReapPolicy))} data-testid="reap-policy">
          {REAP_POLICIES.map((p) => (
            <option key={p} value={p} title={t(`reapPolicies.${p}.explain`)}>
              {t(`reapPolicies.${p}.label`)}
            </option>
          ))}
        </select>
      </div>
      <Refusal why={reapWhy} testid="reap-refusal" />
      <p className="why clamp" title={t(`reapPolicies.${reapValue}.explain`)}>{t(`reapPolicies.${reapValue}.explain`)}</p>
      {running && reapValue !== 'none' && zombies > 0 && (
        <p className="why warn-text" data-testid="leftover-zombies">
          {t('controls.leftoverZombies', { count: zombies })}
        </p>
      )}

      <div className="row3">
        <label className="field" title={t('explain.app')}>
          <span>{t('controls.app')}</span>
          <select value={form.appChoice} disabled={locked} onChange={(e) => setForm({ appChoice: e.target.value })} data-testid="app-select">
            {BUILTIN_APPS.map((a) => (
              <option key={a} value={a} title={plain(t(`apps.${a}`))}>
                {a}
              </option>
            ))}
            <option value="custom">{t('controls.customApp')}</option>
          </select>
        </label>
        <NumberField label={t('controls.port')} title={t('explain.port')} value={form.port} disabled={locked} onChange={(v) => setForm({ port: v })} testid="server-port" />
        <NumberField label={t('controls.backlog')} title={t('explain.backlog')} value={form.backlog} disabled={locked} onChange={(v) => setForm({ backlog: v })} testid="backlog-input" />
      </div>
      {form.appChoice !== 'custom' ? (
        <RichText className="why clamp" title={plain(t(`apps.${form.appChoice as BuiltinApp}`))} text={t(`apps.${form.appChoice as BuiltinApp}`)} />
      ) : (
        <>
          <label className="field" title={t('explain.app')}>
            <input value={form.customApp} placeholder={t('controls.customAppPlaceholder')} disabled={locked} onChange={(e) => setForm({ customApp: e.target.value })} data-testid="custom-app" />
          </label>
          <label className="field" title={t('explain.interface')}>
            <span>{t('controls.interface')}</span>
            <select value={form.interface} disabled={locked} onChange={(e) => setForm({ interface: e.target.value as Interface })} data-testid="interface-select">
              {INTERFACES.map((i) => (
                <option key={i} value={i} title={t(`interfaces.${i}.explain`)}>
                  {t(`interfaces.${i}.label`)}
                </option>
              ))}
            </select>
          </label>
        </>
      )}

      <label className="field check" title={t('explain.keepAlive')}>
        <input type="checkbox" checked={form.keepAlive} disabled={locked} onChange={(e) => setForm({ keepAlive: e.target.checked })} />
        <span>{t('controls.keepAlive')}</span>
      </label>
      {form.model === 'prefork' && (
        <>
          <div className="row3">
            <NumberField label={t('controls.workers')} title={t('explain.workers')} value={form.workers} disabled={locked} onChange={(v) => setForm({ workers: v })} testid="workers-input" />
            <NumberField label={t('controls.workerConnections')} title={t('explain.workerConnections')} value={form.workerConnections} disabled={locked} onChange={(v) => setForm({ workerConnections: v })} testid="worker-connections-input" />
            <NumberField label={t('controls.maxRequests')} title={t('explain.maxRequests')} value={form.maxRequests} disabled={locked} onChange={(v) => setForm({ maxRequests: v })} testid="max-requests-input" />
          </div>
          <p className="why clamp1" title={t(workersKind)}>
            {t(workersKind)}
          </p>
        </>
      )}

      <details className="more-fields" open={moreOpen} onToggle={(e) => setMoreOpen((e.target as HTMLDetailsElement).open)}>
        <summary>{t('controls.more')}</summary>
        <fieldset className="fd-switches">
          <legend>{t('controls.fdSwitches')}</legend>
        <label className="check" title={t('explain.parentKeepsConn')}>
          <input type="checkbox" checked={form.parentKeepsConn} disabled={locked} onChange={(e) => setForm({ parentKeepsConn: e.target.checked })} data-testid="parent-keeps-conn" />
          <span>{t('controls.parentKeepsConn')}</span>
        </label>
        <label className="check" title={t('explain.childKeepsListener')}>
          <input type="checkbox" checked={form.childKeepsListener} disabled={locked} onChange={(e) => setForm({ childKeepsListener: e.target.checked })} data-testid="child-keeps-listener" />
          <span>{t('controls.childKeepsListener')}</span>
        </label>
        <NumberField label={t('controls.nofile')} className="inline" title={t('explain.nofile')} value={form.nofile} placeholder={t('controls.nofilePlaceholder')} disabled={locked} onChange={(v) => setForm({ nofile: v })} testid="nofile-input" />
        {running && form.parentKeepsConn && (
          <button type="button" className="action" onClick={() => runFds(command({ cmd: 'release-fds' }))} title={t('explain.releaseFds')} data-testid="release-fds">
            {t('controls.releaseFds')}
          </button>
        )}
        <Refusal why={fdsWhy} testid="release-fds-refusal" />
      </fieldset>

        <div className="row3">
          <NumberField label={t('controls.maxZombies')} title={t('explain.maxZombies')} value={form.maxZombies} placeholder={t('controls.defaultPlaceholder')} disabled={locked} onChange={(v) => setForm({ maxZombies: v })} testid="max-zombies-input" />
          <NumberField label={t('controls.workerTimeout')} title={t('explain.workerTimeout')} value={form.workerTimeoutS} placeholder={t('controls.defaultPlaceholder')} disabled={locked} onChange={(v) => setForm({ workerTimeoutS: v })} testid="worker-timeout-input" />
          <NumberField label={t('controls.readTimeout')} title={t('explain.readTimeout')} value={form.readTimeoutS} placeholder={t('controls.defaultPlaceholder')} disabled={locked} onChange={(v) => setForm({ readTimeoutS: v })} testid="read-timeout-input" />
          <NumberField label={t('controls.bodyTimeout')} title={t('explain.bodyTimeout')} value={form.bodyTimeoutS} placeholder={t('controls.defaultPlaceholder')} disabled={locked} onChange={(v) => setForm({ bodyTimeoutS: v })} testid="body-timeout-input" />
        </div>
      </details>

      {!cfg.ok && <p className="form-error">{cfg.error}</p>}
      {stale && <p className="why warn-text">{t('controls.restartToApply')}</p>}

      <div className="buttons">
        <button type="button" className="primary" disabled={running || busy != null || !cfg.ok} onClick={() => void start()} data-testid="server-start">
          {busy === 'starting' ? t('controls.starting') : `▶ ${t('controls.start')}`}
        </button>
        <button type="button" disabled={!running || busy != null} onClick={() => void stop()} data-testid="server-stop">
          {busy === 'stopping' ? t('controls.stopping') : `■ ${t('controls.stop')}`}
        </button>
        <button type="button" disabled={!running || busy != null || !cfg.ok} onClick={() => void restart()} data-testid="server-restart">
          ↻ {t('controls.restart')}
        </button>
      </div>
    </Panel>
  );
}
