// A long list that follows its newest row (at the bottom) until you scroll up.
// Following, it draws only the last screenful, stacked from the bottom, in a box that does not
// scroll: no scroll position to set, no scroll events, nothing measured per update — a flood
// of events costs the few rows that changed. Scroll up (or pause) and it becomes a virtualized,
// scrollable list of everything kept (fixed-height rows); rows keep their place while older
// ones drop off the front (a dropped row leaves its space), so browsing is not disturbed.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode, type RefObject, type WheelEvent } from 'react';

/** Past this many dropped rows the list starts over at the top (one redraw). */
const RESET_AT = 200_000;
const INITIAL_RECT = { width: 600, height: 300 };

interface Anchor<T> {
  prev: T[];
  offset: number;
}

/** How many rows have dropped off the front since the list began (kept as blank space). */
export function advanceOffset<T>(a: Anchor<T>, rows: T[], keyOf: (x: T) => number): number {
  const prev = a.prev;
  a.prev = rows;
  if (rows.length === 0 || prev.length === 0) return (a.offset = 0);
  const first = keyOf(rows[0]);
  if (first < keyOf(prev[0])) return (a.offset = 0);
  // Binary search: where the new first row sat in the previous list.
  let lo = 0;
  let hi = prev.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keyOf(prev[mid]) < first) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= prev.length || keyOf(prev[lo]) !== first) return (a.offset = 0);
  a.offset += lo;
  if (a.offset > RESET_AT) a.offset = 0;
  return a.offset;
}

interface Props<T> {
  rows: T[];
  keyOf: (x: T) => number;
  rowHeight: number;
  render: (x: T) => ReactNode;
  /** Following the newest row (else browsing: scrollable, "Jump to latest" comes back). */
  follow: boolean;
  setFollow: (on: boolean) => void;
  dropped?: ReactNode;
  className?: string;
  /** Called after rows reached the DOM. */
  onCommit?: () => void;
}

/** How many rows fit: measured when the box changes size, never per update. */
function useFit(ref: RefObject<HTMLDivElement | null>, rowHeight: number): number {
  const [fit, setFit] = useState(20);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setFit(Math.max(1, Math.ceil(el.clientHeight / rowHeight) + 1)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, rowHeight]);
  return fit;
}

function Tail<T>(props: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const fit = useFit(ref, props.rowHeight);
  const tail = props.rows.slice(-fit);
  const { onCommit, rows } = props;
  useLayoutEffect(() => onCommit?.(), [rows, onCommit]);
  const browse = (e: WheelEvent): void => {
    if (e.deltaY < 0 && props.rows.length > tail.length) props.setFollow(false);
  };
  // Fewer rows than the box holds: they stack from the top (oldest first), not from the floor.
  const short = props.rows.length < fit - 1;
  return (
    <div ref={ref} className={`scroll tail ${short ? 'short' : ''} ${props.className ?? ''}`} onWheel={browse}>
      {/* Keyed by place, not by row: under a flood every row of the screenful is new each frame,
          and reusing the row boxes costs a text update where new ones cost building the DOM. */}
      {tail.map((x, i) => (
        <div key={i} className="trow-box" style={{ height: props.rowHeight }}>
          {props.render(x)}
        </div>
      ))}
    </div>
  );
}

function Browse<T>(props: Props<T>) {
  const { rows, keyOf, rowHeight, onCommit } = props;
  const parentRef = useRef<HTMLDivElement>(null);
  const anchor = useRef<Anchor<T>>({ prev: [], offset: 0 });
  const offset = useMemo(() => advanceOffset(anchor.current, rows, keyOf), [rows, keyOf]);
  const total = offset + rows.length;
  // Stable options: a changed identity makes the virtualizer recompute every row.
  const estimateSize = useCallback(() => rowHeight, [rowHeight]);
  const getScrollElement = useCallback(() => parentRef.current, []);
  const virt = useVirtualizer({ count: total, getScrollElement, estimateSize, overscan: 8, initialRect: INITIAL_RECT });

  // Start browsing at the bottom, where following left off.
  useLayoutEffect(() => {
    const el = parentRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, []);
  useLayoutEffect(() => onCommit?.(), [rows, onCommit]);

  return (
    <div ref={parentRef} className={`scroll ${props.className ?? ''}`}>
      <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
        {virt.getVirtualItems().map((vi) => {
          if (vi.index < offset) {
            if (vi.index !== offset - 1 || !props.dropped) return null;
            return (
              <div key="dropped" className="vrow dropped" style={{ height: rowHeight, top: vi.start }}>
                {props.dropped}
              </div>
            );
          }
          const x = rows[vi.index - offset];
          return (
            <div key={keyOf(x)} className="vrow" style={{ height: rowHeight, top: vi.start }}>
              {props.render(x)}
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function FollowList<T>(props: Props<T>) {
  return props.follow ? <Tail {...props} /> : <Browse {...props} />;
}
