// The run clock's current second, shared by the counter cards and the charts so they always
// agree on which second is over. It moves on by itself while the server runs: a timer fires
// just after each second boundary of the run clock (events may not come every second).
import { useEffect, useState } from 'react';
import { useApp, useAppStore } from '../store/react';
import { secondAt } from './chart-rows';
import { runNow } from '../store/journal';

/** Just after the boundary, so a render then reads the new second. */
const AFTER_BOUNDARY_MS = 5;

export function useRunSecond(): number {
  const store = useAppStore();
  const running = useApp((s) => s.run.running);
  const clock = useApp((s) => s.clock);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!running) return;
    let timer: ReturnType<typeof setTimeout>;
    const next = (): void => {
      const ms = runNow(store.getState().clock);
      timer = setTimeout(() => {
        setTick((n) => n + 1);
        next();
      }, 1000 - (ms % 1000) + AFTER_BOUNDARY_MS);
    };
    next();
    return () => clearTimeout(timer);
  }, [running, store]);
  return secondAt(clock, performance.now());
}
