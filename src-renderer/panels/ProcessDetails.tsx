// One process up close: what /proc says about it, its events, and two levers —
// send it a signal (kill -9 on a zombie changes nothing: lesson 6) and reap now.
import { useMemo, useState } from 'react';
import { t } from '../i18n';
import { describe, fmtKb, fmtT, reapInfo, roleExplain, roleWord, signals, stateWords } from '../strings';
import { useApp } from '../store/react';
import { childOf } from './timeline-filter';

export function ProcessDetails() {
  const pid = useApp((s) => s.detailsPid);
  const node = useApp((s) => s.procs.find((p) => p.pid === s.detailsPid));
  const journal = useApp((s) => s.journal);
  const end = useApp((s) => s.timelineEnd);
  const running = useApp((s) => s.run.running);
  const close = useApp((s) => s.showDetails);
  const command = useApp((s) => s.command);
  // In replay these would act on the live server, not on the recording.
  const live = useApp((s) => s.replay === null);
  const [signal, setSignal] = useState<string>('SIGKILL');
  const events = useMemo(
    () => (pid == null ? [] : journal.timeline.collect((x) => x.e.type !== 'proc' && (x.e.pid === pid || childOf(x.e) === pid), end).slice(-200)),
    [pid, journal, end],
  );
  if (pid == null) return null;
  const st = node ? stateWords(node.state) : null;
  return (
    <aside className="drawer" data-testid="process-details" aria-label={t('details.heading', { pid })}>
      <header className="drawer-head">
        <h2>{t('details.heading', { pid })}</h2>
        <button type="button" className="ghost" onClick={() => close(null)}>
          {t('details.close')}
        </button>
      </header>
      {node ? (
        <dl className="facts">
          <dt>{t('details.role')}</dt>
          <dd title={roleExplain(node.role)}>{roleWord(node.role)}</dd>
          <dt>{t('details.state')}</dt>
          <dd className={`state-${node.state}`} title={st?.explain}>
            {st?.label} {node.letter && <span className="mono">({node.letter})</span>}
            <div className="muted small">{st?.explain}</div>
          </dd>
          <dt>{t('details.ppid')}</dt>
          <dd className="mono">{node.ppid}</dd>
          <dt>{t('details.started')}</dt>
          <dd className="mono">{fmtT(node.start)}</dd>
          <dt title={t('explain.fds')}>{t('details.fds')}</dt>
          <dd className="mono">{node.fds ?? '—'}</dd>
          <dt>{t('details.rss')}</dt>
          <dd className="mono">{node.rssKb ? fmtKb(node.rssKb) : '—'}</dd>
          <dt>{t('details.cmd')}</dt>
          <dd className="mono cmd">{node.cmd || '—'}</dd>
          {node.reap && (
            <>
              <dt>{t('states.reaped.label')}</dt>
              <dd>{reapInfo(node.reap.code, node.reap.signal, node.reap.zombieMs)}</dd>
            </>
          )}
        </dl>
      ) : (
        <p className="muted">{t('details.gone')}</p>
      )}
      <div className="drawer-actions">
        <label title={t('explain.sendSignal')}>
          {t('details.signal')}
          <select value={signal} onChange={(e) => setSignal(e.target.value)} data-testid="signal-select">
            {signals.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!live || !running || !node || node.state === 'reaped'} onClick={() => command({ cmd: 'kill', pid, signal })} title={t('explain.sendSignal')} data-testid="send-signal">
          {t('details.send')}
        </button>
        <button type="button" disabled={!live || !running} onClick={() => command({ cmd: 'reap-now' })} title={t('explain.reapNow')} data-testid="details-reap-now">
          {t('details.reapNow')}
        </button>
      </div>
      <h3>{t('details.events')}</h3>
      {events.length === 0 ? (
        <p className="muted">{t('details.noEvents')}</p>
      ) : (
        <ol className="mini-timeline">
          {events.map((x) => (
            <li key={x.seq} title={t(`eventExplain.${x.e.type}`)}>
              <span className="mono muted">{fmtT(x.e.t)}</span> <span className={`etype t-${x.e.type}`}>{x.e.type}</span> {describe(x.e)}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
