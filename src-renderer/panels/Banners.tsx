// Problems worth interrupting for: a start that failed, a master that died, the master and
// the kernel disagreeing (never show a number the kernel contradicts without saying so).
import { useState } from 'react';
import { t } from '../i18n';
import { adviceFor, divergenceWhat } from '../strings';
import type { Refusal } from '../../server-core/recording/parse';
import { useApp } from '../store/react';

/** Why a file did not open, in the person's language. */
function refusalText(name: string, r: Refusal): string {
  switch (r.kind) {
    case 'empty':
      return t('replay.refusal.empty', { name });
    case 'newer':
      return t('replay.refusal.newer', { name, writtenBy: r.writtenBy, version: r.version });
    case 'bad-header':
      return t('replay.refusal.badHeader', { name, detail: r.detail });
    case 'foreign':
      return r.looksLike === 'events' ? t('replay.refusal.events', { name }) : r.looksLike === 'har' ? t('replay.refusal.har', { name }) : t('replay.refusal.foreign', { name });
  }
}

function Banner(props: { kind: 'error' | 'warn' | 'info'; title: string; body?: string; advice?: string; lines?: string[]; onDismiss?: () => void; testid?: string }) {
  return (
    <div className={`banner ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'} data-testid={props.testid}>
      <div className="banner-text">
        <strong>{props.title}</strong>
        {props.body && <span> {props.body}</span>}
        {props.advice && <div className="advice">→ {props.advice}</div>}
        {props.lines && props.lines.length > 0 && (
          <>
            <div className="muted small">{t('banners.stderr')}</div>
            <pre className="stderr">{props.lines.join('\n')}</pre>
          </>
        )}
      </div>
      {props.onDismiss && (
        <button type="button" className="ghost" onClick={props.onDismiss}>
          {t('banners.dismiss')}
        </button>
      )}
    </div>
  );
}

export function Banners() {
  const actionError = useApp((s) => s.actionError);
  const dismissError = useApp((s) => s.dismissError);
  const run = useApp((s) => s.run);
  const stopRequested = useApp((s) => s.stopRequested);
  const opening = useApp((s) => s.opening);
  const openRefusal = useApp((s) => s.openRefusal);
  const dismissOpenRefusal = useApp((s) => s.dismissOpenRefusal);
  const recordError = useApp((s) => s.recordError);
  const dismissRecordError = useApp((s) => s.dismissRecordError);
  const lastSave = useApp((s) => s.lastSave);
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const dismiss = (key: string) => () => setDismissed(new Set(dismissed).add(key));

  const out = [];
  if (opening) out.push(<Banner key="opening" kind="info" title={t('record.opening', { name: opening.name, percent: Math.round(opening.share * 100) })} testid="record-opening" />);
  if (openRefusal) out.push(<Banner key="refusal" kind="error" title={refusalText(openRefusal.name, openRefusal.refusal)} onDismiss={dismissOpenRefusal} testid="record-refusal" />);
  if (recordError) out.push(<Banner key="record-error" kind="error" title={recordError} onDismiss={dismissRecordError} testid="record-error" />);
  if (lastSave && !dismissed.has(`save:${lastSave.name}`))
    out.push(
      <Banner
        key={`save:${lastSave.name}`}
        kind="info"
        title={t('record.saved', { count: lastSave.events, name: lastSave.name })}
        body={lastSave.dropped > 0 ? t('record.dropped', { count: lastSave.dropped }) : undefined}
        onDismiss={dismiss(`save:${lastSave.name}`)}
        testid="record-saved"
      />,
    );
  if (actionError) out.push(<Banner key="action" kind="error" title={t('banners.lastError')} body={actionError} advice={adviceFor(actionError)} onDismiss={dismissError} testid="error-banner" />);
  const exit = run.masterExit;
  if (exit && !stopRequested && !run.running) {
    // The master died without being asked to: say how, in its own last words too.
    const key = `exit:${exit.t}`;
    const why = exit.message ?? run.lastError ?? '';
    if (!dismissed.has(key))
      out.push(
        <Banner
          key={key}
          kind="error"
          title={exit.signal ? t('banners.masterExitSignal', { signal: exit.signal }) : exit.code != null ? t('banners.masterExitCode', { code: exit.code }) : t('banners.masterExit')}
          body={why}
          advice={adviceFor(`${why}\n${exit.stderr.join('\n')}`)}
          lines={exit.stderr.slice(-8)}
          onDismiss={dismiss(key)}
          testid="master-exit-banner"
        />,
      );
  } else if (run.lastError && !run.running && run.lastError !== actionError) {
    const key = `last:${run.lastError}`;
    if (!dismissed.has(key))
      out.push(<Banner key={key} kind="error" title={t('banners.lastError')} body={run.lastError} advice={adviceFor(run.lastError)} onDismiss={dismiss(key)} testid="error-banner" />);
  }
  const d = run.divergence;
  if (d) {
    const key = `div:${d.t}`;
    if (!dismissed.has(key))
      out.push(<Banner key={key} kind="warn" title="⚠ " body={t('banners.divergence', { what: divergenceWhat(d.what), master: d.master, kernel: d.kernel })} onDismiss={dismiss(key)} testid="divergence-banner" />);
  }
  if (run.running && !run.accepting.on) out.push(<Banner key="accepting" kind="warn" title={t('banners.accepting', { reason: run.accepting.reason ?? '' })} />);
  if (out.length === 0) return null;
  return <div className="banners">{out}</div>;
}
