// Charts over time, one step per second of the run clock: zombies as the kernel counts them,
// live workers, the accept queue's longest length in each second, responses per second; and
// SIGCHLD deliveries against child exits — when the lines part, signals were merged (the
// tutorial's Part 3: signals are not queued).
// Every series is a step: sampled counts hold between samples, nothing is interpolated.
// The charts take the same summary as the counter cards, so their last step and the card agree.
import { memo, startTransition, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { t } from '../i18n';
import { lostSignals, sentSignals } from '../strings';
import { useApp, useAppStore, useAppThrottled } from '../store/react';
import type { AppState } from '../store/store';
import { COUNT_MS } from './Counters';
import type { Point } from '../store/series';
import { chartRows, extendTo, niceTicks, timeTicks, type Row } from './chart-rows';
import { useRunSecond } from './run-second';
import { Panel } from './Panel';
import { chartsPng } from '../replay/chart-png';
import { download, fileStem } from '../replay/download';

const CHART_H = 150;
/**
 * Charts redraw at most this often, so they keep up with the counter cards beside them. Under
 * a flood of events they would move every frame, and a recharts redraw is not cheap: then
 * they redraw once a second (one step per second is all they show anyway).
 */
const CHART_MS = 150;
const FLOOD_CHART_MS = 1000;
const FLOOD_EVENTS = 600;
const selectCounters = (s: AppState): AppState['counters'] => s.counters;
const AXIS = { stroke: '#5d6776', fontSize: 11 };
const RPS_COLOR = '#58a6ff';

interface Series {
  key: keyof Row;
  /** Looked up when drawn, so a language switch relabels the legend. */
  name: () => string;
  color: string;
  width?: number;
  dash?: string;
  axis?: 'n' | 'rps';
}

const OVER_TIME: Series[] = [
  { key: 'zombies', name: () => t('charts.zombies'), color: '#f0556a', width: 2 },
  { key: 'workers', name: () => t('charts.workers'), color: '#3fb950' },
  { key: 'queue', name: () => t('charts.queue'), color: '#d9a53f' },
  { key: 'rps', name: () => t('charts.rps'), color: RPS_COLOR, axis: 'rps', dash: '4 2' },
];

const SIGNALS: Series[] = [
  { key: 'exited', name: () => t('charts.exited'), color: '#c9d1d9', width: 2 },
  { key: 'sigchld', name: () => t('charts.sigchld'), color: '#bc8cff', width: 2, dash: '5 3' },
];

/** The hover box: which second, and each series' value in it. */
function Hover(props: { active?: boolean; payload?: ReadonlyArray<{ payload?: Row }>; series: Series[] }) {
  const row = props.payload?.[0]?.payload;
  if (!props.active || !row || row.lead) return null;
  return (
    <div className="chart-hover">
      <div className="muted">{t(row.current === true ? 'charts.secondNow' : 'charts.second', { from: row.x - 1, to: row.x })}</div>
      {props.series.map((s) => (
        <div key={s.key} style={{ color: s.color }}>
          {s.name()}: <b>{row[s.key] ?? '—'}</b>
        </div>
      ))}
    </div>
  );
}

const StepChart = memo(function StepChart(props: { rows: Row[]; series: Series[]; rightAxis?: boolean }) {
  const { rows, series } = props;
  const from = rows[0].x;
  const to = rows[rows.length - 1].x;
  const max = (keys: Series[]) => Math.max(1, ...rows.flatMap((r) => keys.map((s) => Number(r[s.key] ?? 0))));
  const left = niceTicks(max(series.filter((s) => s.axis !== 'rps')));
  const right = niceTicks(max(series.filter((s) => s.axis === 'rps')));
  return (
    <ResponsiveContainer width="100%" height={CHART_H}>
      <LineChart data={rows} margin={{ top: 6, right: props.rightAxis ? 0 : 12, bottom: 0, left: -18 }}>
        <CartesianGrid stroke="#222a33" vertical={false} />
        <XAxis dataKey="x" type="number" domain={[from, to]} ticks={timeTicks(from, to)} tickFormatter={(s: number) => `${s}s`} {...AXIS} />
        <YAxis yAxisId="n" domain={[0, left[left.length - 1]]} ticks={left} interval={0} {...AXIS} />
        {props.rightAxis && (
          <YAxis
            yAxisId="rps"
            orientation="right"
            domain={[0, right[right.length - 1]]}
            ticks={right}
            interval={0}
            {...AXIS}
            stroke={RPS_COLOR}
            tick={{ fill: RPS_COLOR, fontSize: 11 }}
            label={{ value: t('charts.axisRps'), angle: -90, position: 'insideRight', fill: RPS_COLOR, fontSize: 10, dx: -6 }}
          />
        )}
        <Tooltip content={<Hover series={series} />} cursor={false} isAnimationActive={false} />
        <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
        {series.map((s) => (
          <Line
            key={s.key}
            yAxisId={s.axis ?? 'n'}
            type="stepBefore"
            dataKey={s.key}
            name={s.name()}
            stroke={s.color}
            strokeWidth={s.width ?? 1.5}
            strokeDasharray={s.dash}
            dot={false}
            activeDot={false}
            isAnimationActive={false}
            connectNulls={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
});

/** Both charts as one PNG picture, downloaded. */
async function savePng(root: HTMLElement | null): Promise<void> {
  const svgs = root ? [...root.querySelectorAll<SVGSVGElement>('.recharts-wrapper > svg.recharts-surface')] : [];
  const parts: [string, Series[]][] = [
    [t('charts.heading'), OVER_TIME],
    [t('charts.signalsHeading'), SIGNALS],
  ];
  const charts = parts.flatMap(([title, series], i) => (svgs[i] ? [{ title, svg: svgs[i], legend: series.map((s) => ({ name: s.name(), color: s.color })) }] : []));
  if (!charts.length) return;
  download(`${fileStem()}-charts.png`, await chartsPng(charts));
}

/** What the charts draw: the points, the run second they end at, and the queue length then. */
interface Drawn {
  points: Point[];
  nowS: number;
  queue: number;
}

/**
 * The store's points with the current second and queue length, redrawn at most every CHART_MS
 * — or every FLOOD_CHART_MS while more than FLOOD_EVENTS events arrived in the last second.
 * A new second asks for a redraw through the same gate, so under a flood the charts redraw
 * once a second in all (a recharts redraw of both charts blocks the page for tens of ms: each
 * one delays the events arriving meanwhile, docs/benchmarks.md).
 */
function useDrawn(nowS: number): Drawn {
  const store = useAppStore();
  const nowRef = useRef(nowS);
  nowRef.current = nowS;
  const [drawn, setDrawn] = useState<Drawn>(() => ({ points: store.getState().points, nowS, queue: store.getState().queue.length }));
  const ask = useRef<() => void>(() => {});
  useEffect(() => {
    let last = performance.now();
    let timer: ReturnType<typeof setTimeout> | null = null;
    /** [time, timelineEnd] of the last second's publishes: the event rate. */
    const recent: [number, number][] = [];
    const draw = (): void => {
      timer = null;
      last = performance.now();
      const s = store.getState();
      const next = { points: s.points, nowS: nowRef.current, queue: s.queue.length };
      // A transition: React renders the charts in slices and lets the timeline's updates (and
      // the socket's messages) in between, instead of blocking the page for the whole redraw.
      startTransition(() => setDrawn((d) => (d.points === next.points && d.nowS === next.nowS && d.queue === next.queue ? d : next)));
    };
    const request = (): void => {
      if (timer) return;
      const now = performance.now();
      while (recent.length > 1 && recent[0][0] < now - 1000) recent.shift();
      const flood = recent.length > 0 && store.getState().timelineEnd - recent[0][1] > FLOOD_EVENTS;
      timer = setTimeout(draw, Math.max(0, last + (flood ? FLOOD_CHART_MS : CHART_MS) - now));
    };
    draw();
    ask.current = request;
    const unsubscribe = store.subscribe((s, prev) => {
      recent.push([performance.now(), s.timelineEnd]);
      if (s.points !== prev.points) request();
    });
    return () => {
      unsubscribe();
      ask.current = () => {};
      if (timer) clearTimeout(timer);
    };
  }, [store]);
  useEffect(() => ask.current(), [nowS]);
  return drawn;
}

export function Charts() {
  const running = useApp((s) => s.run.running);
  const { sigchld, exited } = useAppThrottled(selectCounters, COUNT_MS);
  // The queue length matters only for quiet seconds after the last point; it is taken with the
  // points and the second (useDrawn), not followed, or every queue sample would redraw both
  // charts.
  const { points, nowS, queue } = useDrawn(useRunSecond());
  const quiet = running && points.length > 0 && nowS > points[points.length - 1].s;
  const carried = quiet ? queue : 0;
  const until = quiet ? nowS : -1;
  const rows = useMemo(() => chartRows(until >= 0 ? extendTo(points, until, carried) : points, running), [points, running, until, carried]);
  // The second chart follows in a render of its own, so the page is blocked by one chart's
  // redraw at a time rather than both (docs/benchmarks.md, renderer section).
  const signalRows = useDeferredValue(rows);
  const lost = Math.max(0, exited - sigchld);
  // A watched server's SIGCHLDs are seen only where they can be traced: else say why, not 0.
  const untraced = useApp((s) => (s.run.observed && !s.run.observed.tracing ? (s.run.observed.traceNote ?? t('observe.notTraced')) : null));
  const sent = useApp((s) => s.run.observed?.sent);
  const box = useRef<HTMLDivElement>(null);
  return (
    <div className="charts" ref={box}>
      <Panel
        title={t('charts.heading')}
        hint={t('explain.overTime')}
        className="chart-panel"
        right={
          <button type="button" className="ghost small" onClick={() => void savePng(box.current)} disabled={rows.length === 0} title={t('record.pngTitle')} data-testid="charts-png">
            {t('record.png')}
          </button>
        }
      >
        {rows.length === 0 ? <div className="empty chart-empty">—</div> : <StepChart rows={rows} series={OVER_TIME} rightAxis />}
      </Panel>
      <Panel
        title={t('charts.signalsHeading')}
        hint={t('explain.sigchldVsExited')}
        className="chart-panel"
        right={
          untraced ? null : (
          <span className="sig-nums">
            <span className="sig-a" title={t('explain.sigchld')}>
              {t('charts.sigchldCount', { count: sigchld })}
            </span>
            <span className="muted"> · </span>
            <span className="sig-b" title={t('explain.exited')}>
              {t('charts.exitedCount', { count: exited })}
            </span>
          </span>
          )
        }
      >
        {untraced ? (
          <div className="empty chart-empty warn-text" data-testid="sigchld-untraced">
            {untraced}
          </div>
        ) : (
          <>
            {signalRows.length === 0 ? <div className="empty chart-empty">—</div> : <StepChart rows={signalRows} series={SIGNALS} />}
            <div className={`small ${lost > 0 ? 'warn-text' : 'muted'}`}>{sent ? sentSignals(sent, exited) : lostSignals(lost, exited)}</div>
          </>
        )}
      </Panel>
    </div>
  );
}
