// Charts over time (one sample per second of the run): zombies as the kernel counts them,
// live workers, queue length, requests/s; and SIGCHLD deliveries against child exits —
// when the lines part, signals were merged (lesson 8).
import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import * as S from '../strings';
import { useApp } from '../store/react';
import type { Point } from '../store/series';
import { Panel } from './Panel';

const CHART_H = 140;
const AXIS = { stroke: '#5d6776', fontSize: 11 };
const TOOLTIP = { contentStyle: { background: '#161b22', border: '1px solid #30363d', fontSize: 12 }, labelFormatter: (s: unknown) => `${s} ${S.charts.seconds}` };

const OverTime = memo(function OverTime({ points }: { points: Point[] }) {
  return (
    <ResponsiveContainer width="100%" height={CHART_H}>
      <LineChart data={points} margin={{ top: 6, right: 8, bottom: 0, left: -18 }}>
        <CartesianGrid stroke="#222a33" vertical={false} />
        <XAxis dataKey="s" {...AXIS} tickFormatter={(s: number) => `${s}s`} minTickGap={24} />
        <YAxis yAxisId="n" allowDecimals={false} {...AXIS} />
        <YAxis yAxisId="rps" orientation="right" allowDecimals={false} {...AXIS} />
        <Tooltip {...TOOLTIP} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line yAxisId="n" type="stepAfter" dataKey="zombies" name={S.charts.zombies} stroke="#f0556a" strokeWidth={2} dot={false} isAnimationActive={false} />
        <Line yAxisId="n" type="stepAfter" dataKey="workers" name={S.charts.workers} stroke="#3fb950" dot={false} isAnimationActive={false} />
        <Line yAxisId="n" type="stepAfter" dataKey="queue" name={S.charts.queue} stroke="#d9a53f" dot={false} isAnimationActive={false} />
        <Line yAxisId="rps" type="linear" dataKey="rps" name={S.charts.rps} stroke="#58a6ff" dot={false} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
});

const Signals = memo(function Signals({ points }: { points: Point[] }) {
  return (
    <ResponsiveContainer width="100%" height={CHART_H}>
      <LineChart data={points} margin={{ top: 6, right: 8, bottom: 0, left: -18 }}>
        <CartesianGrid stroke="#222a33" vertical={false} />
        <XAxis dataKey="s" {...AXIS} tickFormatter={(s: number) => `${s}s`} minTickGap={24} />
        <YAxis allowDecimals={false} {...AXIS} />
        <Tooltip {...TOOLTIP} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line type="stepAfter" dataKey="exited" name={S.charts.exited} stroke="#c9d1d9" strokeWidth={2} dot={false} isAnimationActive={false} />
        <Line type="stepAfter" dataKey="sigchld" name={S.charts.sigchld} stroke="#bc8cff" strokeWidth={2} strokeDasharray="5 3" dot={false} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
});

export function Charts() {
  const points = useApp((s) => s.points);
  const sigchld = useApp((s) => s.counters.sigchld);
  const exited = useApp((s) => s.counters.exited);
  const lost = Math.max(0, exited - sigchld);
  return (
    <div className="charts">
      <Panel title={S.charts.heading} hint={S.explain.zombieCount} className="chart-panel">
        {points.length === 0 ? <div className="empty chart-empty">—</div> : <OverTime points={points} />}
      </Panel>
      <Panel
        title={S.charts.signalsHeading}
        hint={S.explain.sigchldVsExited}
        className="chart-panel"
        right={
          <span className="sig-nums">
            <span className="sig-a" title={S.explain.sigchld}>
              {sigchld} SIGCHLD
            </span>
            <span className="muted"> · </span>
            <span className="sig-b" title={S.explain.exited}>
              {exited} exited
            </span>
          </span>
        }
      >
        {points.length === 0 ? <div className="empty chart-empty">—</div> : <Signals points={points} />}
        <div className={`small ${lost > 0 ? 'warn-text' : 'muted'}`}>{S.counters.lostSignals(lost)}</div>
      </Panel>
    </div>
  );
}
