// One process up close: what /proc says about it, its descriptors, its events, and the levers —
// send it a signal (kill -9 on a zombie changes nothing: tutorial, Part 3: zombies), reap now,
// and, where "child keeps the listener" is on, kill the master alone to see its orphan keep the
// port. A reaped process has no state, descriptors or memory any more: the drawer says when
// and how it was reaped, and what it last had, as last seen. Escape closes it.
import { useMemo, useState } from 'react';
import type { ReapEvent } from '../../server-core/events';
import { t } from '../i18n';
import { describe, fmtKb, fmtMs, fmtT, roleExplain, roleWord, signals, stateWords } from '../strings';
import type { LastSeen, ProcNode } from '../store/procs';
import { useApp } from '../store/react';
import { FdList } from './FdList';
import { Refusal, useRefusal } from './Refusal';
import { childOf } from './timeline-filter';

export function ProcessDetails() {
  const pid = useApp((s) => s.detailsPid);
  const node = useApp((s) => s.procs.find((p) => p.pid === s.detailsPid));
  const journal = useApp((s) => s.journal);
  const end = useApp((s) => s.timelineEnd);
  const close = useApp((s) => s.showDetails);
  const events = useMemo(
    () => (pid == null ? [] : journal.timeline.collect((x) => x.e.type !== 'proc' && (x.e.pid === pid || childOf(x.e) === pid), end).slice(-200)),
    [pid, journal, end],
  );
  // In replay the fds and the actions would be the live server's, not the recording's.
  const live = useApp((s) => s.replay === null);
  if (pid == null) return null;
  const gone = !node || node.state === 'reaped';
  return (
    <aside className="drawer" data-testid="process-details" data-gone={gone} aria-label={t('details.heading', { pid })}>
      <header className="drawer-head">
        <h2>{t('details.heading', { pid })}</h2>
        <button type="button" className="ghost" onClick={() => close(null)} title={t('details.closeHint')}>
          {t('details.close')}
        </button>
      </header>
      {gone ? <GoneFacts pid={pid} node={node} reap={journal.procs.reapOf(pid)} last={journal.procs.lastSeen(pid)} /> : <LiveFacts node={node} />}
      {!gone && live && <FdList pid={pid} />}
      {gone ? <p className="muted drawer-actions">{t('details.noLongerExists')}</p> : live ? <Actions node={node} /> : <p className="muted drawer-actions">{t('replay.liveOff')}</p>}
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

function LiveFacts({ node }: { node: ProcNode }) {
  const st = stateWords(node.state);
  // A watched server's processes are "your server" and its children, not a master and workers.
  const observed = useApp((s) => s.run.observed != null);
  return (
    <dl className="facts">
      <dt>{t('details.role')}</dt>
      <dd title={roleExplain(node.role, observed)}>
        {roleWord(node.role, observed)}
        {node.role === 'orphan' && <div className="muted small">{t('explain.orphan')}</div>}
      </dd>
      <dt>{t('details.state')}</dt>
      <dd className={`state-${node.state}`} title={st.explain}>
        {st.label} {node.letter && <span className="mono">({node.letter})</span>}
        <div className="muted small">{st.explain}</div>
      </dd>
      <dt>{t('details.ppid')}</dt>
      <dd className="mono">{node.ppid}</dd>
      <dt>{t('details.started')}</dt>
      <dd className="mono">{fmtT(node.start)}</dd>
      <dt>{t('details.rss')}</dt>
      <dd className="mono">{node.rssKb ? fmtKb(node.rssKb) : '—'}</dd>
      <dt>{t('details.cmd')}</dt>
      <dd className="mono cmd">{node.cmd || '—'}</dd>
    </dl>
  );
}

/** A reaped (or vanished) process: when and how it ended, and what it last had while alive. */
function GoneFacts(props: { pid: number; node: ProcNode | undefined; reap: ReapEvent | undefined; last: LastSeen | undefined }) {
  const { node, reap, last } = props;
  const observed = useApp((s) => s.run.observed != null);
  return (
    <>
      <dl className="facts" data-testid="reaped-facts">
        {node && (
          <>
            <dt>{t('details.role')}</dt>
            <dd>{roleWord(node.role, observed)}</dd>
            <dt>{t('details.ppid')}</dt>
            <dd className="mono">{node.ppid}</dd>
          </>
        )}
        <dt>{t('details.state')}</dt>
        <dd className="state-reaped" title={t('states.reaped.explain')}>
          {reap ? t('details.reapedAt', { time: fmtT(reap.t) }) : t('details.goneFromProc')}
          <div className="muted small">{t('states.reaped.explain')}</div>
        </dd>
        {reap && (
          <>
            <dt>{t('details.exitStatus')}</dt>
            <dd>{reap.signal ? t('reaped.killedBy', { signal: reap.signal }) : t('reaped.exitedWith', { code: reap.code ?? '?' })}</dd>
            <dt>{t('details.zombieFor')}</dt>
            <dd className="mono">{reap.zombieMs != null ? fmtMs(reap.zombieMs) : '—'}</dd>
            <dt>{t('details.reapedBy')}</dt>
            <dd>{t(`details.by.${reap.by}`)}</dd>
          </>
        )}
      </dl>
      {last && (
        <div className="last-seen" data-testid="last-seen">
          <h3 title={t('details.lastSeenHint')}>{t('details.lastSeen', { time: fmtT(last.t) })}</h3>
          <dl className="facts">
            <dt>{t('details.fds')}</dt>
            <dd className="mono">{last.fds ?? '—'}</dd>
            <dt>{t('details.rss')}</dt>
            <dd className="mono">{last.rssKb ? fmtKb(last.rssKb) : '—'}</dd>
            <dt>{t('details.cmd')}</dt>
            <dd className="mono cmd">{last.cmd || '—'}</dd>
          </dl>
        </div>
      )}
    </>
  );
}

/** Signals and reaping; refusals are said here, where they were clicked. */
function Actions({ node }: { node: ProcNode }) {
  const running = useApp((s) => s.run.running);
  const keepsListener = useApp((s) => s.run.config?.childKeepsListener === true);
  const command = useApp((s) => s.command);
  const [signal, setSignal] = useState<string>('SIGKILL');
  const [why, run] = useRefusal();
  const [sent, setSent] = useState<string | null>(null);
  const send = (sig: string): void => {
    setSent(null);
    run(
      command({ cmd: 'kill', pid: node.pid, signal: sig }).then((refused) => {
        if (!refused) setSent(t('details.sent', { signal: sig, pid: node.pid }));
        return refused;
      }),
    );
  };
  // Orphans are the supervisor's children: they can be signalled after their master is gone.
  // A watched server reaps by its own code only, and one forkscope did not start gets no signal.
  const observed = useApp((s) => s.run.observed);
  const notOurs = observed != null && observed.command == null;
  const canSignal = (running || node.role === 'orphan') && !notOurs;
  return (
    <div className="drawer-actions">
      <label title={t('explain.sendSignal')}>
        {t('details.signal')}
        <select value={signal} onChange={(e) => setSignal(e.target.value)} data-testid="signal-select">
          {signals.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <button type="button" disabled={!canSignal} onClick={() => send(signal)} title={notOurs ? t('observe.noSignals') : canSignal ? t('explain.sendSignal') : t('details.notRunning')} data-testid="send-signal">
        {t('details.send')}
      </button>
      {observed ? (
        <span className="muted small">{t('observe.noReapNow')}</span>
      ) : node.role !== 'orphan' && (
        <button type="button" disabled={!running} onClick={() => run(command({ cmd: 'reap-now' }))} title={running ? t('explain.reapNow') : t('details.notRunning')} data-testid="details-reap-now">
          {t('details.reapNow')}
        </button>
      )}
      {node.role === 'master' && running && keepsListener && (
        <div className="kill-master">
          <button type="button" className="danger" onClick={() => send('SIGKILL')} data-testid="kill-master-only">
            {t('details.killMaster')}
          </button>
          <p className="why">{t('details.killMasterHint')}</p>
        </div>
      )}
      {sent && !why && (
        <p className="sent small" data-testid="signal-sent">
          {sent}
        </p>
      )}
      <Refusal why={why} testid="details-refusal" />
    </div>
  );
}
