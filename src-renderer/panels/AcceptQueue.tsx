// The kernel's accept queue: backlog + 1 slots (Linux), filled to the length TCP_INFO reports.
// Waiting connections the built-in client made are labelled with their port; connections
// that could not even get into the queue are stuck connecting while their SYNs are retried.
import { useEffect, useState } from 'react';
import { t } from '../i18n';
import { fmtMs } from '../strings';
import { useApp } from '../store/react';
import { Panel } from './Panel';
import { runNow } from '../store/journal';

/** Up to this many slots are drawn one by one; a larger queue is drawn as a gauge. */
const MAX_SLOTS = 24;
/** A connect still pending after this long has lost its SYN at least once. */
const SYN_RETRY_MS = 900;

function useTick(active: boolean, ms = 500): void {
  const [, setN] = useState(0);
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setN((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [active, ms]);
}

export function AcceptQueue() {
  const queue = useApp((s) => s.queue);
  const clock = useApp((s) => s.clock);
  const listening = useApp((s) => s.run.master != null);
  useTick(queue.connecting.length > 0 || queue.waiting.length > 0);
  const nowT = runNow(clock);
  const slots = queue.backlog + 1;
  const drawn = slots;
  const full = queue.length >= slots && queue.backlog > 0;
  const stuck = queue.connecting.filter((c) => nowT - c.since > SYN_RETRY_MS);
  const fresh = queue.connecting.length - stuck.length;
  // The client saw its handshake finish, but the kernel's queue holds fewer: the rest are
  // half-open on the server's side (final ACK dropped while the queue was full).
  const halfOpen = Math.max(0, queue.waiting.length - queue.length);
  return (
    <Panel
      title={t('queue.heading')}
      hint={t('explain.queue')}
      sub={listening ? <span title={t('explain.backlog')}>{t('queue.slots', { backlog: queue.backlog, slots: queue.backlog + 1 })}</span> : undefined}
      className="queue-panel"
    >
      {!listening ? (
        <div className="empty">{t('queue.notListening')}</div>
      ) : slots > MAX_SLOTS ? (
        <div className={`gauge ${full ? 'full' : ''}`} title={t('explain.queueLength')} data-testid="queue-gauge">
          <div className="gauge-fill" style={{ width: `${Math.min(100, (100 * queue.length) / slots)}%` }} />
        </div>
      ) : (
      <div className={`slots ${full ? 'full' : ''}`} title={t('explain.queueLength')}>
        {Array.from({ length: drawn }, (_, i) => {
          const filled = i < queue.length;
          const item = filled ? queue.waiting[i] : undefined;
          return (
            <div key={i} className={`slot ${filled ? 'filled' : ''}`} data-testid="queue-slot" data-filled={filled}>
              {filled ? (item?.localPort ? `:${item.localPort}` : '●') : ''}
            </div>
          );
        })}
      </div>
      )}
      {listening && (
      <div className="queue-line">
        <span className="mono big-num">{queue.length}</span>
        <span className="muted"> / {slots} {t('queue.waiting')}</span>
      </div>
      )}
      {listening && queue.length === 0 && queue.backlog > 0 && stuck.length === 0 && halfOpen === 0 && <div className="muted small">{t('queue.empty')}</div>}
      {halfOpen > 0 && (
        <div className="half-open small" title={t('explain.halfOpen')} data-testid="half-open">
          {t('queue.halfOpen', { count: halfOpen })}
        </div>
      )}
      {(stuck.length > 0 || fresh > 0) && (
        <div className="connecting" title={t('explain.synRetry')}>
          <div className="connecting-head">
            {stuck.length > 0 && t('queue.connecting')}
            {stuck.length > 0 && fresh > 0 && ' · '}
            {fresh > 0 && <span className="muted">{t('queue.freshCount', { count: fresh })}</span>}
          </div>
          <div className="connecting-list">
            {stuck.slice(0, 40).map((c) => (
              <span key={c.id} className="syn" data-testid="stuck-connecting">
                <span className="mono">{t('queue.client', { id: c.clientId ?? '?' })}</span> {t('queue.synRetry', { time: fmtMs(nowT - c.since) })}
              </span>
            ))}
            {stuck.length > 40 && <span className="muted">{t('tree.more', { count: stuck.length - 40 })}</span>}
          </div>
        </div>
      )}
    </Panel>
  );
}
