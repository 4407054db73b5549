// Every connection, one line each (request line → status line), in the order the server
// accepted them (by connection number, as each row is labelled; connections not accepted yet
// last), following the end; below, the selected one — or the last accepted — curl -v style. Selecting one highlights its worker in the
// process tree and its events in the timeline. The list is virtualized with fixed-height
// rows: thousands of connections cost only the rows on screen, and nothing is measured.
import { memo, useEffect, useMemo, useState } from 'react';
import { t } from '../i18n';
import { fmtMs } from '../strings';
import { connLabel } from '../../server-core/conn-id';
import type { Conversation } from '../store/conversations';
import { useApp, useAppThrottled } from '../store/react';
import type { AppState } from '../store/store';
import { FollowList } from './FollowList';
import { Panel } from './Panel';
import { durationMs, requestLine, statusLine, statusOf, transcriptLines } from './transcript';

const ROW = 28;
/** Redraw the list at most this often. */
const LIST_MS = 100;
/** The newest connection shown in full changes at most this often (bursts open hundreds). */
const FOLLOW_MS = 400;

function toneOf(c: Conversation): string {
  const code = statusOf(c);
  const failed = c.state === 'failed' || c.errors.length > 0;
  return code == null ? (failed ? 'bad' : 'pending') : code >= 500 ? 'bad' : code >= 400 ? 'warn' : 'ok';
}

/** Who served it: a worker, or the master itself (iterative model). */
function servedBy(c: Conversation, master: number | null): string {
  if (c.worker != null) return c.worker === master ? t('transcripts.master', { pid: c.worker }) : t('transcripts.worker', { pid: c.worker });
  return c.clientId != null ? t('transcripts.client') : '';
}

const Entry = memo(function Entry(props: { conv: Conversation; touched: number; master: number | null; selected: boolean; shown: boolean; onSelect: (id: number | null) => void }) {
  const c = props.conv;
  const req = requestLine(c);
  const status = statusLine(c);
  const ms = durationMs(c);
  const failed = c.state === 'failed' || c.errors.length > 0;
  return (
    <button
      type="button"
      className={`tx-head ${props.selected ? 'selected' : ''} ${props.shown ? 'shown' : ''}`}
      onClick={() => props.onSelect(props.selected ? null : c.id)}
      title={t('transcripts.selectHint')}
      data-testid="transcript-entry"
      data-conv={c.id}
      data-conn={c.conn}
      data-status={statusOf(c)}
    >
      <span className="tx-id mono">{c.conn != null ? `#${connLabel(c.conn)}` : `c${c.clientId ?? '?'}`}</span>
      <span className="tx-req mono">{req ?? (c.state === 'connecting' ? t('queue.connectingFresh') : t('transcripts.pending'))}</span>
      <span className="tx-arrow">→</span>
      <span className={`tx-status mono ${toneOf(c)}`}>{status ?? (failed ? c.errors[0]?.code ?? t('transcripts.error') : '…')}</span>
      <span className="tx-meta">
        <span className="tx-ms mono muted">{ms != null ? fmtMs(ms) : ''}</span>
        <span className="tx-who muted">{servedBy(c, props.master)}</span>
      </span>
    </button>
  );
});

function DetailBar(props: { conv: Conversation; selected: boolean; master: number | null }) {
  const c = props.conv;
  const setFilters = useApp((s) => s.setFilters);
  const showDetails = useApp((s) => s.showDetails);
  const conn = c.conn;
  return (
    <div className="tx-bar">
      <span className="mono">{c.conn != null ? `#${connLabel(c.conn)}` : t('transcripts.clientN', { id: c.clientId ?? '?' })}</span>
      <span className="muted" data-testid="transcript-shown-why">{props.selected ? t('transcripts.selected') : c.conn != null ? t('transcripts.lastAccepted') : t('transcripts.notAccepted')}</span>
      <span className="spacer" />
      {conn != null && (
        <button type="button" className="ghost" onClick={() => setFilters({ conn: connLabel(conn), pid: '' })} title={t('transcripts.onlyThisHint')}>
          {t('transcripts.onlyThis', { conn: connLabel(conn) })}
        </button>
      )}
      {c.worker != null && (
        <button type="button" className="ghost" onClick={() => showDetails(c.worker!)}>
          {servedBy(c, props.master)} ›
        </button>
      )}
    </div>
  );
}

const Detail = memo(function Detail(props: { conv: Conversation; touched: number }) {
  const lines = transcriptLines(props.conv);
  return (
    <pre className="tx-body" title={t('explain.transcript')} data-testid="transcript-detail">
      {lines.map((l, i) => (
        <div key={i} className={`ln ln-${l.kind === '*' ? 'info' : l.kind === '>' ? 'out' : l.kind === '<' ? 'in' : l.kind === '!' ? 'err' : 'body'}`}>
          {l.kind === 'body' ? l.text : `${l.kind} ${l.text}`}
        </div>
      ))}
    </pre>
  );
});

/** The connection accepted last (else the newest one), followed at most every FOLLOW_MS. */
function useNewest(list: Conversation[], lastAccepted: Conversation | undefined): Conversation | undefined {
  const newest = (lastAccepted ?? list[list.length - 1])?.id;
  const [id, setId] = useState<number | undefined>(newest);
  useEffect(() => {
    if (newest === id) return;
    const t = setTimeout(() => setId(newest), id == null ? 0 : FOLLOW_MS);
    return () => clearTimeout(t);
  }, [newest, id]);
  return (id != null ? list.find((c) => c.id === id) : undefined) ?? list[list.length - 1];
}

const idOf = (c: Conversation): number => c.id;
const selectVersion = (s: AppState): number => s.convVersion;

export function Transcripts() {
  const journal = useApp((s) => s.journal);
  const version = useAppThrottled(selectVersion, LIST_MS);
  const selected = useApp((s) => s.selectedConv);
  const select = useApp((s) => s.selectConv);
  const list = useMemo(() => journal.convs.list(), [journal, version]);
  const master = useApp((s) => s.run.listening?.pid ?? s.run.runMaster);
  const [follow, setFollow] = useState(true);
  const paused = useApp((s) => s.paused);
  const newest = useNewest(list, useMemo(() => journal.convs.lastAccepted(), [journal, version]));
  const shown = (selected != null ? journal.convs.get(selected) : undefined) ?? newest;
  // A watched server's side of each connection is not visible: only the built-in client's.
  const observed = useApp((s) => s.run.observed != null);
  return (
    <Panel
      title={t('transcripts.heading')}
      hint={t('explain.transcript')}
      sub={
        master != null ? (
          <span title={t('transcripts.thisRunHint')}>
            {observed ? t('observe.thisRun', { pid: master }) : t('transcripts.thisRun', { pid: master })} · <span data-testid="transcript-order">{t('transcripts.order')}</span>
          </span>
        ) : undefined
      }
      right={
        <span className="muted">
          {t('transcripts.count', { count: list.length })}
          {!follow && (
            <button type="button" className="ghost" onClick={() => setFollow(true)}>
              ↓ {t('timeline.jump')}
            </button>
          )}
        </span>
      }
      className="tx-panel"
    >
      {observed && (
        <p className="small warn-text" data-testid="client-side-only">
          {t('observe.clientSideOnly')}
        </p>
      )}
      {list.length === 0 ? (
        <div className="empty">{t('transcripts.empty')}</div>
      ) : (
        <>
          <FollowList
            rows={list}
            keyOf={idOf}
            rowHeight={ROW}
            follow={follow && !paused}
            setFollow={setFollow}
            className="tx-scroll"
            render={(c) => <Entry conv={c} touched={c.touched} master={master} selected={selected === c.id} shown={shown?.id === c.id} onSelect={select} />}
          />
          {shown && <DetailBar conv={shown} selected={selected === shown.id} master={master} />}
          {shown && <Detail conv={shown} touched={shown.touched} />}
        </>
      )}
    </Panel>
  );
}
