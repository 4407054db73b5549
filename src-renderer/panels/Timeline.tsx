// Every event of the run on one clock, filterable by type, pid and connection. Follows the
// newest event until you scroll up; "Jump to latest" comes back. Virtualized (20,000 rows),
// redrawn with every frame's publish, filtering only what is new (timeline-rows.ts).
import { memo, useCallback, useMemo, useState } from 'react';
import type { EventType } from '../../server-core/events';
import { t } from '../i18n';
import { describe, eventTypes, fmtT } from '../strings';
import type { Entry } from '../store/journal';
import { useApp } from '../store/react';
import type { AppState } from '../store/store';
import { FollowList } from './FollowList';
import { Panel } from './Panel';
import { perf } from '../perf';
import { makeFilter, relatedTo } from './timeline-filter';
import { FilteredRows } from './timeline-rows';

const ROW = 22;

const GROUPS: { name: 'server' | 'processes' | 'client' | 'kernel'; types: EventType[] }[] = [
  { name: 'server', types: ['listening', 'accept', 'request', 'response', 'close', 'queue', 'eintr', 'error', 'transcript', 'notice', 'accepting', 'stopping', 'stopped'] },
  { name: 'processes', types: ['fork', 'worker-ready', 'sigchld', 'exit', 'reap', 'zombies', 'signal-sent', 'fds-released', 'reap-policy'] },
  { name: 'client', types: ['client-connect', 'client-connected', 'client-sent', 'client-first-byte', 'client-done', 'client-eof', 'client-error', 'client-received'] },
  { name: 'kernel', types: ['proc', 'divergence', 'master-exit', 'reparented', 'master-start'] },
];

/** Memoized: it takes no props, so the list's redraw every frame does not redraw its ~45 checkboxes. */
const TypeFilter = memo(function TypeFilter() {
  const hidden = useApp((s) => s.filters.hidden);
  const setFilters = useApp((s) => s.setFilters);
  const hiddenSet = new Set(hidden);
  const toggle = (t: EventType) => setFilters({ hidden: hiddenSet.has(t) ? hidden.filter((h) => h !== t) : [...hidden, t] });
  return (
    <details className="type-filter" data-menu>
      <summary data-testid="timeline-types" title={t('timeline.filterTypesHint')}>
        {t('timeline.filterTypes')}
        {hidden.length > 0 && (
          <span className="muted" data-testid="hidden-types">
            {' · '}
            {hidden.length <= 3 ? t('timeline.hiddenNamed', { types: hidden.join(', ') }) : t('timeline.hiddenTypes', { count: hidden.length })}
          </span>
        )}
      </summary>
      <div className="type-menu">
        <div className="type-menu-actions">
          <button type="button" className="ghost" onClick={() => setFilters({ hidden: [] })}>
            {t('timeline.allTypes')}
          </button>
          <button type="button" className="ghost" onClick={() => setFilters({ hidden: [...eventTypes] })}>
            {t('timeline.noneTypes')}
          </button>
        </div>
        {GROUPS.map((g) => (
          <fieldset key={g.name}>
            <legend>{t(`timeline.groups.${g.name}`)}</legend>
            {g.types.map((type) => (
              <label key={type} title={t(`eventExplain.${type}`)}>
                <input type="checkbox" checked={!hiddenSet.has(type)} onChange={() => toggle(type)} /> <span className={`etype t-${type}`}>{type}</span>
              </label>
            ))}
          </fieldset>
        ))}
      </div>
    </details>
  );
});

const Row = memo(function Row(props: { x: Entry; related: 'conn' | 'worker' | null; onPick: (x: Entry) => void }) {
  const { e } = props.x;
  return (
    <div className={`trow src-${e.source ?? 'server'} ${props.related ? `related-${props.related}` : ''} ${e.type === 'master-start' ? 'run-start' : ''}`} title={t(`eventExplain.${e.type}`)} onClick={() => props.onPick(props.x)} data-testid="timeline-row">
      <span className="t mono">{fmtT(e.t)}</span>
      <span className="src">{e.source ? t(`timeline.sources.${e.source}`) : ''}</span>
      <span className="pid mono">{e.pid}</span>
      <span className={`etype t-${e.type}`}>{e.type}</span>
      <span className="desc">{describe(e)}</span>
    </div>
  );
});

const seqOf = (x: Entry): number => x.seq;
const selectEnd = (s: AppState): number => s.timelineEnd;

export function Timeline() {
  const journal = useApp((s) => s.journal);
  // Every frame's publish: new events are listed in the frame after they arrive (FilteredRows
  // makes that cheap).
  const end = useApp(selectEnd);
  const filters = useApp((s) => s.filters);
  const setFilters = useApp((s) => s.setFilters);
  const selected = useApp((s) => s.selectedConv);
  const select = useApp((s) => s.selectConv);
  const worker = selected != null ? journal.convs.get(selected)?.worker : undefined;
  const run = useApp((s) => s.run.runNo);
  const filtered = useMemo(() => {
    const keep = makeFilter(filters, (id) => journal.convs.get(id)?.conn, run);
    // A connection filter asks about conversations, which learn their conn id later than some
    // of their events arrive: filter everything again each time then (as before).
    return filters.conn.trim() ? { rows: (to: number) => journal.timeline.collect(keep, to) } : new FilteredRows(journal.timeline, keep);
  }, [journal, filters, run]);
  const rows = useMemo(() => filtered.rows(end), [filtered, end]);
  const [follow, setFollow] = useState(true);
  const paused = useApp((s) => s.paused);
  const onPick = useCallback(
    (x: Entry): void => {
      if (x.conv != null) select(selected === x.conv ? null : x.conv);
    },
    [select, selected],
  );
  const onCommit = useCallback(() => perf.committed(performance.now(), end), [end]);

  return (
    <Panel
      title={t('timeline.heading')}
      hint={t('explain.timeline')}
      className="timeline-panel"
      right={
        <span className="muted" data-testid="timeline-count">
          {t('timeline.count', { shown: rows.length, total: journal.timeline.size })}
        </span>
      }
    >
      <div className="filters">
        <TypeFilter />
        <input className="small-input" placeholder={t('timeline.pidPlaceholder')} value={filters.pid} onChange={(e) => setFilters({ pid: e.target.value })} aria-label={t('timeline.pid')} data-testid="filter-pid" />
        <input className="small-input" placeholder={t('timeline.connPlaceholder')} value={filters.conn} onChange={(e) => setFilters({ conn: e.target.value })} aria-label={t('timeline.conn')} data-testid="filter-conn" />
        {(filters.pid || filters.conn) && (
          <button type="button" className="ghost" onClick={() => setFilters({ pid: '', conn: '' })}>
            {t('timeline.clear')}
          </button>
        )}
        <span className="spacer" />
        {paused ? (
          <span className="muted small">❚❚ {t('app.paused')}</span>
        ) : follow ? (
          <span className="muted small">● {t('timeline.following')}</span>
        ) : (
          <button type="button" onClick={() => setFollow(true)} data-testid="jump-latest">
            ↓ {t('timeline.jump')}
          </button>
        )}
      </div>
      {rows.length === 0 ? (
        <div className="empty">{t('timeline.empty')}</div>
      ) : (
        <FollowList
          rows={rows}
          keyOf={seqOf}
          rowHeight={ROW}
          follow={follow && !paused}
          setFollow={setFollow}
          className="timeline-scroll"
          dropped={<span className="muted small">{t('timeline.dropped')}</span>}
          onCommit={onCommit}
          render={(x) => <Row x={x} related={relatedTo(x, selected, worker)} onPick={onPick} />}
        />
      )}
    </Panel>
  );
}
