// A watched server's connections as the kernel lists them: each one's TCP state and the
// processes holding it open. The forgotten close() shows here: a connection in CLOSE_WAIT
// still held by the server, and by every child forked after it (tutorial, Part 3).
import { memo } from 'react';
import { connLabel } from '../../server-core/conn-id';
import type { ConnectionView } from '../../src-main/supervisor/types';
import { t, tDynamic } from '../i18n';
import { useApp, useAppThrottled } from '../store/react';
import type { AppState } from '../store/store';
import { Panel } from './Panel';

const LIST_MS = 100;
/** Rows drawn at most (the newest); the count says how many there are. */
const MAX_ROWS = 200;
const selectConnections = (s: AppState): ConnectionView[] => s.connections;

function stateExplain(state: string): string {
  return tDynamic(`connections.states.${state}`, { defaultValue: '' });
}

const Row = memo(function Row(props: { c: ConnectionView; server: number | null; onOpen: (pid: number) => void }) {
  const c = props.c;
  const forgotten = c.state === 'CLOSE_WAIT' && props.server != null && c.holders.includes(props.server);
  return (
    <tr
      className={`conn-row state-${c.state.toLowerCase()} ${forgotten ? 'bad' : ''}`}
      data-testid="connection-holders"
      data-conn={c.conn}
      data-state={c.state}
      data-holders={c.holders.join(' ')}
      title={stateExplain(c.state)}
    >
      <td className="mono">#{connLabel(c.conn)}</td>
      <td className="mono muted">
        {c.peer.address}:{c.peer.port}
      </td>
      <td className="mono">{c.state}</td>
      <td>
        {c.waiting ? (
          <span className="muted">{t('connections.waiting')}</span>
        ) : c.holders.length === 0 ? (
          <span className="muted">{t('connections.nobody')}</span>
        ) : (
          c.holders.map((pid) => (
            <button key={pid} type="button" className={`pid-link mono ${pid === props.server ? 'server' : ''}`} onClick={() => props.onOpen(pid)} title={pid === props.server ? t('connections.serverHolds') : t('connections.childHolds')}>
              {pid}
            </button>
          ))
        )}
      </td>
    </tr>
  );
});

export function Connections() {
  const observed = useApp((s) => s.run.observed);
  const server = useApp((s) => (s.run.running ? (s.run.master?.pid ?? null) : null));
  const connections = useAppThrottled(selectConnections, LIST_MS);
  const showDetails = useApp((s) => s.showDetails);
  if (!observed) return null;
  const forgotten = server != null && connections.some((c) => c.state === 'CLOSE_WAIT' && c.holders.includes(server));
  const rows = connections.slice(-MAX_ROWS);
  return (
    <Panel title={t('connections.heading')} hint={t('connections.hint')} sub={t('connections.sub')} right={<span className="muted">{t('connections.count', { count: connections.length })}</span>} className="connections-panel">
      {connections.length === 0 ? (
        <div className="empty">{t('connections.empty')}</div>
      ) : (
        <table className="conn-table">
          <thead>
            <tr>
              <th>{t('connections.conn')}</th>
              <th>{t('connections.client')}</th>
              <th>{t('connections.state')}</th>
              <th>{t('connections.holders')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <Row key={c.conn} c={c} server={server} onOpen={showDetails} />
            ))}
          </tbody>
        </table>
      )}
      <p className={`small ${forgotten ? 'warn-text' : 'muted'}`}>{forgotten ? t('connections.forgottenClose') : t('connections.note')}</p>
    </Panel>
  );
}
