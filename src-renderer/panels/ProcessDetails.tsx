// One process up close: what /proc says about it, its events, and two levers —
// send it a signal (kill -9 on a zombie changes nothing: lesson 6) and reap now.
import { useMemo, useState } from 'react';
import * as S from '../strings';
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
  const events = useMemo(
    () => (pid == null ? [] : journal.timeline.collect((x) => x.e.type !== 'proc' && (x.e.pid === pid || childOf(x.e) === pid), end).slice(-200)),
    [pid, journal, end],
  );
  if (pid == null) return null;
  const st = node ? S.states[node.state] ?? S.states.unknown : null;
  return (
    <aside className="drawer" data-testid="process-details" aria-label={S.details.heading(pid)}>
      <header className="drawer-head">
        <h2>{S.details.heading(pid)}</h2>
        <button type="button" className="ghost" onClick={() => close(null)}>
          {S.details.close}
        </button>
      </header>
      {node ? (
        <dl className="facts">
          <dt>{S.details.role}</dt>
          <dd title={S.explain[node.role as 'master'] ?? ''}>{S.tree.roles[node.role] ?? node.role}</dd>
          <dt>{S.details.state}</dt>
          <dd className={`state-${node.state}`} title={st?.explain}>
            {st?.label} {node.letter && <span className="mono">({node.letter})</span>}
            <div className="muted small">{st?.explain}</div>
          </dd>
          <dt>{S.details.ppid}</dt>
          <dd className="mono">{node.ppid}</dd>
          <dt>{S.details.started}</dt>
          <dd className="mono">{S.fmtT(node.start)}</dd>
          <dt title={S.explain.fds}>{S.details.fds}</dt>
          <dd className="mono">{node.fds ?? '—'}</dd>
          <dt>{S.details.rss}</dt>
          <dd className="mono">{node.rssKb ? S.fmtKb(node.rssKb) : '—'}</dd>
          <dt>{S.details.cmd}</dt>
          <dd className="mono cmd">{node.cmd || '—'}</dd>
          {node.reap && (
            <>
              <dt>{S.states.reaped.label}</dt>
              <dd>{S.details.reapInfo(node.reap.code, node.reap.signal, node.reap.zombieMs)}</dd>
            </>
          )}
        </dl>
      ) : (
        <p className="muted">{S.details.gone}</p>
      )}
      <div className="drawer-actions">
        <label title={S.explain.sendSignal}>
          {S.details.signal}
          <select value={signal} onChange={(e) => setSignal(e.target.value)} data-testid="signal-select">
            {S.signals.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!running || !node || node.state === 'reaped'} onClick={() => command({ cmd: 'kill', pid, signal })} title={S.explain.sendSignal} data-testid="send-signal">
          {S.details.send}
        </button>
        <button type="button" disabled={!running} onClick={() => command({ cmd: 'reap-now' })} title={S.explain.reapNow} data-testid="details-reap-now">
          {S.details.reapNow}
        </button>
      </div>
      <h3>{S.details.events}</h3>
      {events.length === 0 ? (
        <p className="muted">{S.details.noEvents}</p>
      ) : (
        <ol className="mini-timeline">
          {events.map((x) => (
            <li key={x.seq} title={S.eventExplain[x.e.type]}>
              <span className="mono muted">{S.fmtT(x.e.t)}</span> <span className={`etype t-${x.e.type}`}>{x.e.type}</span> {S.describe(x.e)}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
