// The process tree as /proc shows it: supervisor → master → workers. Zombies are loud;
// reaped workers fade out; a worker the master just started but /proc has not sampled yet
// is drawn dashed ("starting"). Click a process for its details.
import type { HierarchyNode } from 'd3-hierarchy';
import { memo, useMemo } from 'react';
import { t } from '../i18n';
import { fmtAge, reapedLong, reapedShort, roleExplain, roleWord, stateWords } from '../strings';
import { connLabel } from '../../server-core/conn-id';
import type { ProcNode } from '../store/procs';
import { useApp, useAppStore, useAppThrottled } from '../store/react';
import { runNow } from '../store/journal';
import type { AppState } from '../store/store';
import { Panel } from './Panel';
import { buildTree, ROOT_PID, supervisorOf } from './tree';

/** At most this many children drawn per parent (zombies and live ones first). */
const MAX_KIDS = 300;
const TREE_MS = 100;
const selectProcs = (s: AppState): ProcNode[] => s.procs;

const Chip = memo(function Chip(props: {
  pid: number;
  role: string;
  state: string;
  letter: string;
  fds: number | null;
  ageS: number;
  conn?: number;
  reapText?: string;
  reapTitle?: string;
  fade?: number;
  highlight: boolean;
  observed: boolean;
  onOpen: (pid: number) => void;
}) {
  const st = stateWords(props.state);
  const live = props.state !== 'reaped';
  const roleHint = roleExplain(props.role, props.observed);
  const role = roleWord(props.role, props.observed);
  return (
    <button
      type="button"
      className={`chip ${props.state} role-${props.role} ${props.highlight ? 'highlight' : ''} ${props.fade != null ? `fade-${props.fade}` : ''}`}
      data-testid={live ? 'process-node' : 'process-node-reaped'}
      data-pid={props.pid}
      data-state={props.state}
      data-role={props.role}
      onClick={() => props.onOpen(props.pid)}
      title={`${role} ${props.pid}: ${props.reapTitle ? `${props.reapTitle}. ` : ''}${st.explain}${roleHint ? `\n${roleHint}` : ''}`}
    >
      <span className="chip-top">
        <span className="state-dot" />
        <span className="chip-pid">{props.pid}</span>
        {props.letter && live && <span className="chip-letter">{props.letter}</span>}
      </span>
      <span className="chip-state">{props.state === 'zombie' ? st.label : `${role} · ${st.label}`}</span>
      <span className="chip-meta">
        {props.reapText ??
          `${fmtAge(props.ageS * 1000)}${props.fds != null ? ` · ${props.fds} ${t('tree.fds')}` : ''}${props.conn != null ? ` · #${connLabel(props.conn)}` : ''}`}
      </span>
    </button>
  );
});

function Branch(props: { node: HierarchyNode<ProcNode>; nowT: number; highlightPid: number | undefined; observed: boolean; onOpen: (pid: number) => void; depth: number }) {
  const { node, nowT } = props;
  const kids = node.children ?? [];
  const shown = kids.slice(0, MAX_KIDS);
  const d = node.data;
  const isRoot = d.pid === ROOT_PID;
  const reapText = d.state === 'reaped' ? (d.reap ? reapedShort(d.reap.code, d.reap.signal, d.reap.zombieMs) : t('states.reaped.label')) : undefined;
  const reapTitle = d.state === 'reaped' && d.reap ? reapedLong(d.reap.code, d.reap.signal, d.reap.zombieMs) : undefined;
  const leafy = kids.length > 0 && kids.every((k) => !k.children);
  return (
    <div className={`branch depth-${props.depth}`}>
      {isRoot ? (
        <div className="chip virtual" title={props.observed ? t('observe.treeRootExplain') : t('explain.supervisor')}>
          <span className="chip-top">{props.observed ? t('observe.treeRoot') : t('tree.roles.supervisor')}</span>
        </div>
      ) : (
        <Chip
          pid={d.pid}
          role={d.role}
          state={d.state}
          letter={d.letter}
          fds={d.fds}
          ageS={Math.max(0, Math.floor((nowT - d.start) / 1000))}
          conn={d.conn}
          reapText={reapText}
          reapTitle={reapTitle}
          fade={d.state === 'reaped' ? d.fade : undefined}
          highlight={props.highlightPid === d.pid}
          observed={props.observed}
          onOpen={props.onOpen}
        />
      )}
      {kids.length > 0 && (
        <div className={`kids ${leafy ? 'grid' : ''}`}>
          {shown.map((k) => (
            <Branch key={k.data.pid} node={k} nowT={nowT} highlightPid={props.highlightPid} observed={props.observed} onOpen={props.onOpen} depth={props.depth + 1} />
          ))}
          {kids.length > shown.length && <div className="chip more">{t('tree.more', { count: kids.length - shown.length })}</div>}
        </div>
      )}
    </div>
  );
}

export function ProcessTree() {
  // The kernel is sampled ten times a second: redrawing the tree more often shows nothing new.
  const procs = useAppThrottled(selectProcs, TREE_MS);
  // Ages move on with each redraw (the tree redraws with every /proc sample).
  const clock = useAppStore().getState().clock;
  const showDetails = useApp((s) => s.showDetails);
  const highlightPid = useApp((s) => (s.selectedConv != null ? s.journal.convs.get(s.selectedConv)?.worker : undefined));
  const root = useMemo(() => supervisorOf(buildTree(procs)), [procs]);
  const observed = useApp((s) => s.run.observed != null);
  const nowT = runNow(clock);
  const count = procs.filter((p) => p.state !== 'reaped').length;
  return (
    <Panel title={t('tree.heading')} hint={t('explain.tree')} sub={t('tree.subheading')} right={<span className="muted">{t('tree.count', { count })}</span>} className="tree-panel">
      {procs.length === 0 ? (
        <div className="empty">{t('tree.empty')}</div>
      ) : (
        <div className="tree">
          <Branch node={root} nowT={nowT} highlightPid={highlightPid} observed={observed} onOpen={showDetails} depth={0} />
        </div>
      )}
    </Panel>
  );
}
