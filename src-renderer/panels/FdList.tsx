// A process's file descriptors as the kernel says (read again every second while shown): how
// many are open against the limit, what each is — the listening socket, connections, pipes,
// the event loop's own — so the arithmetic behind an EMFILE is on screen
// (tutorial, Part 3: closing sockets and connections).
import { useEffect, useState } from 'react';
import type { FdTable } from '../../src-main/supervisor/types';
import { t } from '../i18n';
import { useApp } from '../store/react';
import { aboveLimit, groupFds, roomLeft } from './fd-groups';

const REFRESH_MS = 1000;

function useFdTable(pid: number): FdTable | string | null {
  const readFds = useApp((s) => s.readFds);
  const [table, setTable] = useState<FdTable | string | null>(null);
  useEffect(() => {
    let on = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = (): void => {
      void readFds(pid).then((r) => {
        if (!on) return;
        setTable(r);
        // A process that is gone or a zombie will not change any more.
        if (typeof r !== 'string' && !r.zombie) timer = setTimeout(load, REFRESH_MS);
      });
    };
    setTable(null);
    load();
    return () => {
      on = false;
      clearTimeout(timer);
    };
  }, [pid, readFds]);
  return table;
}

export function FdList(props: { pid: number }) {
  const table = useFdTable(props.pid);
  return (
    <section className="fd-section" data-testid="fd-table">
      <h3 title={t('explain.fds')}>{t('fds.heading')}</h3>
      {table == null ? (
        <p className="muted">{t('fds.loading')}</p>
      ) : typeof table === 'string' ? (
        <p className="muted">{table || t('fds.unavailable')}</p>
      ) : table.zombie ? (
        <p className="muted">{t('fds.zombie')}</p>
      ) : (
        <FdSummary table={table} />
      )}
    </section>
  );
}

function FdSummary({ table }: { table: FdTable }) {
  const room = roomLeft(table);
  const above = aboveLimit(table);
  return (
    <>
      <p data-testid="fd-count">
        {table.limit != null ? t('fds.countLimit', { count: table.fds.length, limit: table.limit }) : t('fds.count', { count: table.fds.length })}
      </p>
      {room != null && (
        <p className={`why ${room <= 4 ? 'warn-text' : ''}`} data-testid="fd-room">
          {t('fds.room', { count: room, limit: table.limit })}
          {above.length > 0 && ` ${t('fds.above', { count: above.length, fds: above.join(', ') })}`}
        </p>
      )}
      <ul className="fd-groups">
        {groupFds(table).map((g) => (
          <li key={g.kind} title={t(`fds.explain.${g.kind}`)} data-kind={g.kind}>
            <b className="mono">{g.fds.length}</b> {t(`fds.kinds.${g.kind}`, { count: g.fds.length })}
            <span className="muted small"> — {t(`fds.explain.${g.kind}`)}</span>
          </li>
        ))}
      </ul>
      <table className="fd-list mono small">
        <tbody>
          {table.fds.map((f) => (
            <tr key={f.fd} className={`fd-${f.kind}`}>
              <td className="fd-num">{f.fd}</td>
              <td>{t(`fds.kinds.${f.kind}`, { count: 1 })}</td>
              <td className="fd-detail">
                {f.detail}
                {f.std && <span className="muted"> ({f.std})</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
