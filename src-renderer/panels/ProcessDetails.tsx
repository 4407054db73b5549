// One process up close: what /proc says about it, its events, and two levers —
// send it a signal (kill -9 on a zombie changes nothing: lesson 6) and reap now.
import { useMemo, useState } from 'react';
import { t } from '../i18n';
import { connLabel } from '../../server-core/conn-id';
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
  const [signal, setSignal] = useState<string>('SIGKILL');
  // A watched server: its descriptors as /proc lists them (what a child inherited shows here),
  // no reap-now (only its own wait() reaps), and signals only to what forkscope started.
  const observed = useApp((s) => s.run.observed);
  const fds = useApp((s) => (s.detailsPid != null && s.run.observed ? s.journal.summary.sockets[s.detailsPid] : undefined));
  const connections = useApp((s) => s.connections);
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
          <dd title={roleExplain(node.role, observed != null)}>{roleWord(node.role, observed != null)}</dd>
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
          {fds && (
            <>
              <dt title={t('explain.fds')}>{t('observe.sockets')}</dt>
              <dd data-testid="details-sockets">
                {fds.sockets.length === 0 ? (
                  <span className="muted">{t('observe.noSockets')}</span>
                ) : (
                  <ul className="fd-list mono">
                    {fds.sockets.map((s) => {
                      const c = s.conn != null ? connections.find((x) => x.conn === s.conn) : undefined;
                      return (
                        <li key={s.fd}>
                          {s.listen
                            ? t('observe.fdListen', { fd: s.fd })
                            : s.conn != null
                              ? t('observe.fdConn', { fd: s.fd, conn: connLabel(s.conn), state: c?.state ?? '?', port: c?.peer.port ?? '?' })
                              : observed?.command && (s.fd === 1 || s.fd === 2)
                              ? t('observe.fdStdio', { fd: s.fd, name: s.fd === 1 ? 'stdout' : 'stderr' })
                              : t('observe.fdOther', { fd: s.fd })}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </dd>
            </>
          )}
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
        <button
          type="button"
          disabled={!running || !node || node.state === 'reaped' || (observed != null && observed.command == null)}
          onClick={() => command({ cmd: 'kill', pid, signal })}
          title={observed != null && observed.command == null ? t('observe.noSignals') : t('explain.sendSignal')}
          data-testid="send-signal"
        >
          {t('details.send')}
        </button>
        {observed ? (
          <span className="muted small">{t('observe.noReapNow')}</span>
        ) : (
          <button type="button" disabled={!running} onClick={() => command({ cmd: 'reap-now' })} title={t('explain.reapNow')} data-testid="details-reap-now">
            {t('details.reapNow')}
          </button>
        )}
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
