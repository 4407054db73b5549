// Every connection, newest first, curl -v style. Selecting one highlights its worker in the
// process tree and its events in the timeline. Virtualized: thousands of connections cost
// only the rows on screen.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef } from 'react';
import * as S from '../strings';
import type { Conversation } from '../store/conversations';
import { useApp } from '../store/react';
import { Panel } from './Panel';
import { durationMs, requestLine, statusLine, statusOf, transcriptLines } from './transcript';

const Entry = memo(function Entry(props: { conv: Conversation; touched: number; selected: boolean; expanded: boolean; onSelect: (id: number | null) => void }) {
  const c = props.conv;
  const req = requestLine(c);
  const status = statusLine(c);
  const code = statusOf(c);
  const ms = durationMs(c);
  const failed = c.state === 'failed' || c.errors.length > 0;
  const tone = code == null ? (failed ? 'bad' : 'pending') : code >= 500 ? 'bad' : code >= 400 ? 'warn' : 'ok';
  return (
    <div className={`tx ${props.selected ? 'selected' : ''}`} data-testid="transcript-entry" data-conv={c.id} data-conn={c.conn} data-status={code}>
      <button type="button" className="tx-head" onClick={() => props.onSelect(props.selected ? null : c.id)} title={S.transcripts.selectHint}>
        <span className="tx-id mono">{c.conn != null ? `#${c.conn}` : `c${c.clientId ?? '?'}`}</span>
        <span className="tx-req mono">{req ?? (c.state === 'connecting' ? S.queue.connectingFresh : S.transcripts.pending)}</span>
        <span className={`tx-status mono ${tone}`}>{status ?? (failed ? c.errors[0]?.code ?? 'error' : '…')}</span>
        <span className="tx-ms mono muted">{ms != null ? S.fmtMs(ms) : ''}</span>
        <span className="tx-who muted">{c.worker != null ? S.transcripts.worker(c.worker) : c.clientId != null ? S.transcripts.client : ''}</span>
      </button>
      {props.expanded && (
        <pre className="tx-body" title={S.explain.transcript}>
          {transcriptLines(c).map((l, i) => (
            <div key={i} className={`ln ln-${l.kind === '*' ? 'info' : l.kind === '>' ? 'out' : l.kind === '<' ? 'in' : l.kind === '!' ? 'err' : 'body'}`}>
              {l.kind === 'body' ? l.text : `${l.kind} ${l.text}`}
            </div>
          ))}
        </pre>
      )}
    </div>
  );
});

export function Transcripts() {
  const journal = useApp((s) => s.journal);
  const version = useApp((s) => s.convVersion);
  const selected = useApp((s) => s.selectedConv);
  const select = useApp((s) => s.selectConv);
  const list = useMemo(() => journal.convs.list().reverse(), [journal, version]);
  const parentRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({
    count: list.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => 34,
    initialRect: { width: 600, height: 400 },
    overscan: 6,
    getItemKey: (i) => list[i].id,
  });
  const expandedId = selected ?? list[0]?.id;
  return (
    <Panel title={S.transcripts.heading} hint={S.explain.transcript} right={<span className="muted">{S.transcripts.count(list.length)}</span>} className="tx-panel">
      {list.length === 0 ? (
        <div className="empty">{S.transcripts.empty}</div>
      ) : (
        <div ref={parentRef} className="scroll tx-scroll">
          <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
            {virt.getVirtualItems().map((vi) => {
              const c = list[vi.index];
              return (
                <div key={vi.key} data-index={vi.index} ref={virt.measureElement} className="vrow" style={{ transform: `translateY(${vi.start}px)` }}>
                  <Entry conv={c} touched={c.touched} selected={selected === c.id} expanded={expandedId === c.id} onSelect={select} />
                </div>
              );
            })}
          </div>
        </div>
      )}
    </Panel>
  );
}
