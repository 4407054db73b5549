// Replay: the time cursor over a recording. Play / pause, one event back or forward, speed, a
// scrubber over the whole run (its value is the cursor's time in ms) with marks for the moments
// that matter, and the way back to the live app. Present only while a recording is shown.
import { t } from '../i18n';
import type { Marker } from '../replay/markers';
import { SPEEDS } from '../replay/player';
import { fmtMs } from '../strings';
import { useApp } from '../store/react';
import type { ReplayView } from '../store/replay-slice';

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function markerText(m: Marker): string {
  return t(`replay.marker.${m.kind}`, { detail: m.detail ?? '' });
}

function Marks({ r, seekIndex }: { r: ReplayView; seekIndex: (index: number) => void }) {
  const span = Math.max(1, r.end - r.start);
  return (
    <div className="replay-marks" aria-label={t('replay.markers')}>
      {r.markers.map((m) => (
        <button
          key={`${m.kind}-${m.index}`}
          type="button"
          className={`replay-mark ${m.kind}`}
          style={{ left: `${((m.t - r.start) / span) * 100}%` }}
          title={t('replay.markerAt', { what: markerText(m), time: fmtMs(m.t - r.start - 1) })}
          aria-label={markerText(m)}
          onClick={() => seekIndex(m.index + 1)}
          data-testid="replay-marker"
          data-kind={m.kind}
        />
      ))}
    </div>
  );
}

export function ReplayBar() {
  const r = useApp((s) => s.replay);
  const seek = useApp((s) => s.seekReplay);
  const seekIndex = useApp((s) => s.seekReplayIndex);
  const step = useApp((s) => s.stepReplay);
  const togglePlay = useApp((s) => s.togglePlay);
  const setSpeed = useApp((s) => s.setReplaySpeed);
  const close = useApp((s) => s.closeReplay);
  if (!r) return null;
  const d = r.damage;
  const noKernel = r.header.recorder !== 'app';
  return (
    <div className="replay-bar" data-testid="replay-bar" data-index={r.index} data-count={r.count} data-move-ms={r.moveMs.toFixed(1)} role="region" aria-label={t('replay.label')}>
      <div className="replay-title">
        <span className="replay-badge">{t('replay.label')}</span>
        <strong className="mono">{r.name}</strong>
        <span className="muted">
          {t(`replay.recordedBy.${r.header.recorder}`)} · {t('replay.startedAt', { when: when(r.header.started) })}
        </span>
        <button type="button" className="replay-live" onClick={close} title={t('replay.liveTitle')} data-testid="replay-live">
          ⟲ {t('replay.live')}
        </button>
      </div>
      <div className="replay-controls">
        <button type="button" onClick={() => step(-1)} disabled={r.index === 0} title={t('replay.stepBack')} aria-label={t('replay.stepBack')} data-testid="replay-step-back">
          |◀
        </button>
        <button type="button" className="replay-play" onClick={togglePlay} title={t('replay.playTitle')} data-testid="replay-play" data-playing={r.playing}>
          {r.playing ? `❚❚ ${t('replay.pause')}` : `▶ ${t('replay.play')}`}
        </button>
        <button type="button" onClick={() => step(1)} disabled={r.index >= r.count} title={t('replay.stepForward')} aria-label={t('replay.stepForward')} data-testid="replay-step-forward">
          ▶|
        </button>
        <label className="replay-speed" title={t('replay.speed')}>
          <select value={r.speed} onChange={(e) => setSpeed(Number(e.target.value))} aria-label={t('replay.speed')} data-testid="replay-speed">
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <div className="replay-scrub">
          <input
            type="range"
            min={r.start}
            max={r.end}
            step="any"
            value={r.t}
            onChange={(e) => seek(Number(e.target.value))}
            aria-label={t('replay.scrubber')}
            data-testid="replay-scrubber"
          />
          <Marks r={r} seekIndex={seekIndex} />
        </div>
        <span className="replay-time mono" data-testid="replay-time" title={t('replay.scrubber')}>
          {r.t.toFixed(1)} ms
        </span>
        <span className="muted small">{t('replay.position', { index: r.index, count: r.count })}</span>
      </div>
      {d && (
        <div className="warn-text small" data-testid="replay-damage">
          {t(`replay.damage.${d.kind}`, { name: r.name, line: d.line, events: d.events, time: d.lastT === null ? '—' : `${d.lastT.toFixed(1)} ms` })}
        </div>
      )}
      {noKernel && <div className="muted small">{t('replay.noKernel')}</div>}
    </div>
  );
}
