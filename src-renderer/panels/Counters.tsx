// The headline numbers. The zombie count is the kernel's (/proc); the master's own account
// sits beside it. SIGCHLD deliveries next to child exits show the tutorial's Part 3 lesson:
// signals are not queued.
import type { ReactNode } from 'react';
import { t } from '../i18n';
import { lostSignals, sentSignals } from '../strings';
import type { AppState } from '../store/store';
import { useApp, useAppThrottled } from '../store/react';
import { useRunSecond } from './run-second';
import { lastSecondRps } from './chart-rows';

/** States of a process that is alive as /proc shows it (not a zombie, not reaped). */
const LIVE = new Set(['running', 'sleeping', 'stopped']);
/**
 * Counts that move with nearly every event are redrawn at most this often: nobody reads a
 * number changing 60 times a second, and a card redrawn every frame costs the page a layout of
 * the row of cards every frame — time the timeline, which lists every event as it comes, needs
 * (docs/benchmarks.md, event-to-screen latency).
 */
export const COUNT_MS = 100;
const selectCounters = (s: AppState): AppState['counters'] => s.counters;
const selectQueue = (s: AppState): AppState['queue'] => s.queue;

function Stat(props: { label: string; hint: string; value: number | string; testid?: string; tone?: 'bad' | 'warn' | 'ok'; sub?: ReactNode; big?: boolean }) {
  return (
    <div className={`stat ${props.tone ?? ''} ${props.big ? 'big' : ''}`} title={props.hint}>
      <div className="stat-label">{props.label}</div>
      <div className="stat-value" data-testid={props.testid}>
        {props.value}
      </div>
      {props.sub && <div className="stat-sub">{props.sub}</div>}
    </div>
  );
}

export function Counters() {
  const zombies = useApp((s) => s.zombies.count);
  const masterZombies = useApp((s) => s.masterZombies);
  const counters = useAppThrottled(selectCounters, COUNT_MS);
  const queue = useAppThrottled(selectQueue, COUNT_MS);
  const liveWorkers = useApp((s) => s.procs.filter((p) => p.role === 'worker' && LIVE.has(p.state)).length);
  // The last second that is over (the current one is still counting); 0 once it went quiet.
  const running = useApp((s) => s.run.running);
  const nowS = useRunSecond();
  const rps = useApp((s) => (running ? lastSecondRps(s.points, nowS) : 0));
  const account = Math.max(0, counters.exited - counters.reaped);
  const lost = Math.max(0, counters.exited - counters.sigchld);
  // A watched server narrates nothing: what only its own words could say is shown as "—", with why.
  const observed = useApp((s) => s.run.observed);
  const signalsSeen = !observed || observed.tracing;
  return (
    <div className="stats">
      <Stat
        big
        label={t('counters.zombies')}
        hint={t('explain.zombieCount')}
        value={zombies}
        testid="zombie-count"
        tone={zombies > 0 ? 'bad' : 'ok'}
        sub={
          observed ? (
            <span>{t('observe.zombiesFromProc')}</span>
          ) : (
            <span title={t('explain.masterAccount')}>
              {t('counters.masterAccount')}: {t('counters.masterAccountValue', { count: account })}
              {masterZombies != null && ` · ${t('tree.masterSays', { count: masterZombies })}`}
            </span>
          )
        }
      />
      <Stat label={observed ? t('observe.liveChildren') : t('counters.liveWorkers')} hint={t('explain.liveWorkers')} value={liveWorkers} testid="live-workers" />
      <Stat
        label={t('counters.queue')}
        hint={t('explain.queueLength')}
        value={queue.length}
        testid="queue-length"
        tone={queue.backlog && queue.length >= queue.backlog + 1 ? 'bad' : queue.length > 0 ? 'warn' : undefined}
        sub={queue.backlog ? t('counters.queueOf', { slots: queue.backlog + 1, backlog: queue.backlog }) : undefined}
      />
      {observed ? (
        <Stat label={t('counters.rps')} hint={t('observe.noRps')} value="—" testid="rps" sub={t('observe.noRpsShort')} />
      ) : (
        <Stat label={t('counters.rps')} hint={t('explain.rps')} value={rps} testid="rps" />
      )}
      <div className="stat pair" title={t('explain.sigchldVsExited')}>
        <div className="stat-label">{t('counters.sigchldVsExited')}</div>
        <div className="stat-value">
          <span data-testid="sigchld-count">{signalsSeen ? counters.sigchld : '—'}</span>
          <span className="vs"> {t('counters.vs')} </span>
          <span data-testid="exited-count">{counters.exited}</span>
        </div>
        <div className={`stat-sub ${lost > 0 || !signalsSeen ? 'warn-text' : ''}`}>
          {!signalsSeen ? t('observe.sigchldNotTraced') : observed ? sentSignals(observed.sent, counters.exited) : lostSignals(lost, counters.exited)}
        </div>
      </div>
      <div className="stat small-stats">
        <div title={observed ? t('observe.notNarrated') : t('explain.accepted')}>
          {t('counters.accepted')} <b>{observed ? '—' : counters.accepted}</b>
        </div>
        <div title={observed ? t('observe.notNarrated') : t('explain.forked')}>
          {t('counters.forked')} <b>{observed ? '—' : counters.forked}</b>
        </div>
        <div title={t('explain.reaped')}>
          {t('counters.reaped')} <b data-testid="reaped-count">{counters.reaped}</b>
        </div>
        <div title={t('explain.errors')}>
          {t('counters.errors')} <b className={counters.errors ? 'warn-text' : ''}>{counters.errors}</b>
        </div>
      </div>
    </div>
  );
}
