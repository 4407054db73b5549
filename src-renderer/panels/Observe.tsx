// "Watch a server": instead of forkscope's own server, one the learner wrote — started from a
// command line (in a folder) or already running (a pid). Everything the other panels then show
// is read from the kernel (docs/observe.md); this panel says what is and is not visible.
import { t } from '../i18n';
import { exampleCommand, OBSERVE_EXAMPLES, toObserveConfig, type ObserveExample } from '../store/forms';
import { useApp } from '../store/react';
import { Panel } from './Panel';
import { NumberField } from './NumberField';

function WatchedStatus() {
  const observed = useApp((s) => s.run.observed);
  const running = useApp((s) => s.run.running);
  const master = useApp((s) => s.run.master);
  if (!observed) return null;
  return (
    <div className="observe-status" data-testid="observe-status">
      <div>
        <b>{running ? t('observe.watching', { pid: observed.pid }) : t('observe.watched', { pid: observed.pid })}</b>
        {running && master && <span className="mono muted"> {master.host}:{master.port}</span>}
      </div>
      {observed.command && <div className="mono small cmd">{observed.command.join(' ')}</div>}
      {observed.handler && <div className="small">{t(`observe.handler.${observed.handler}`)}</div>}
      <div className={`small ${observed.tracing ? '' : 'warn-text'}`} data-testid="observe-tracing">
        {observed.tracing ? t('observe.traced') : (observed.traceNote ?? t('observe.notTraced'))}
      </div>
    </div>
  );
}

export function ObservePanel() {
  const form = useApp((s) => s.observeForm);
  const setForm = useApp((s) => s.setObserveForm);
  const observe = useApp((s) => s.observe);
  const stop = useApp((s) => s.stop);
  const close = useApp((s) => s.setObserveOpen);
  const running = useApp((s) => s.run.running);
  const watching = useApp((s) => s.run.running && s.run.observed != null);
  const busy = useApp((s) => s.busy);
  const cfg = toObserveConfig(form);
  const example = OBSERVE_EXAMPLES.find((e) => exampleCommand(e) === form.command.trim()) ?? '';
  const locked = watching || busy != null;

  return (
    <Panel title={t('observe.heading')} hint={t('observe.hint')} className="controls observe">
      <p className="why">{t('observe.intro')}</p>
      <div className="seg" role="radiogroup" aria-label={t('observe.heading')}>
        <label className="check">
          <input type="radio" checked={form.target === 'command'} disabled={locked} onChange={() => setForm({ target: 'command' })} data-testid="observe-target-command" />
          <span>{t('observe.targetCommand')}</span>
        </label>
        <label className="check">
          <input type="radio" checked={form.target === 'pid'} disabled={locked} onChange={() => setForm({ target: 'pid' })} data-testid="observe-target-pid" />
          <span>{t('observe.targetPid')}</span>
        </label>
      </div>

      {form.target === 'command' ? (
        <>
          <label className="field" title={t('observe.commandHelp')}>
            <span>{t('observe.command')}</span>
            <input className="mono" value={form.command} spellCheck={false} disabled={locked} placeholder={exampleCommand('fork-no-reap')} onChange={(e) => setForm({ command: e.target.value })} data-testid="observe-command" />
          </label>
          <label className="field">
            <span>{t('observe.example')}</span>
            <select value={example} disabled={locked} onChange={(e) => e.target.value && setForm({ command: exampleCommand(e.target.value as ObserveExample) })} data-testid="observe-example">
              <option value="">{t('observe.exampleNone')}</option>
              {OBSERVE_EXAMPLES.map((name) => (
                <option key={name} value={name}>
                  {t(`observe.examples.${name}`)}
                </option>
              ))}
            </select>
          </label>
          <p className="why">{example ? t(`observe.examplesLook.${example}`) : t('observe.commandHelp')}</p>
          <label className="field" title={t('observe.cwdHelp')}>
            <span>{t('observe.cwd')}</span>
            <input className="mono" value={form.cwd} spellCheck={false} disabled={locked} placeholder={t('observe.cwdPlaceholder')} onChange={(e) => setForm({ cwd: e.target.value })} data-testid="observe-cwd" />
          </label>
        </>
      ) : (
        <>
          <NumberField label={t('observe.pid')} value={form.pid} disabled={locked} onChange={(v) => setForm({ pid: v })} testid="observe-pid" />
          <p className="why">{t('observe.pidHelp')}</p>
        </>
      )}
      <NumberField label={t('observe.port')} title={t('observe.portHelp')} value={form.port} placeholder={t('observe.portPlaceholder')} disabled={locked} onChange={(v) => setForm({ port: v })} testid="observe-port" />

      {!cfg.ok && <p className="form-error">{cfg.error}</p>}
      <div className="buttons">
        <button type="button" className="primary" disabled={locked || !cfg.ok} onClick={() => void observe()} data-testid="observe-start">
          {busy === 'watching' ? t('observe.starting') : `▶ ${running && !watching ? t('observe.startInstead') : t('observe.start')}`}
        </button>
        <button type="button" disabled={!watching || busy != null} onClick={() => void stop()} data-testid="observe-stop">
          {busy === 'stopping' ? t('controls.stopping') : `■ ${t('observe.stop')}`}
        </button>
      </div>
      <WatchedStatus />
      <p className="why muted">{t('observe.limits')}</p>
      <button type="button" className="ghost" disabled={busy != null} onClick={() => close(false)} data-testid="observe-close">
        ← {t('observe.back')}
      </button>
    </Panel>
  );
}
