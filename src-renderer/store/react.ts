// React access to the one store: components select the few values they draw.
import { createContext, useContext, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { AppState, AppStore } from './store';

export const StoreContext = createContext<AppStore | null>(null);

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('forkscope: no store provided');
  return store;
}

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useAppStore(), selector);
}

/** For selectors that build a small object or array each time. */
export function useAppShallow<T>(selector: (s: AppState) => T): T {
  return useStore(useAppStore(), useShallow(selector));
}

/**
 * Like useApp, but re-renders at most every `ms` (the last change always lands). Long lists
 * and the process tree redraw a few times a second under a flood of events instead of every
 * frame: nobody reads 2,000 rows a second, and the page keeps its frame rate.
 * `selector` must be stable (defined outside the component).
 */
export function useAppThrottled<T>(selector: (s: AppState) => T, ms: number): T {
  const store = useAppStore();
  const [value, setValue] = useState(() => selector(store.getState()));
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const push = (): void => {
      timer = null;
      last = performance.now();
      setValue(() => selector(store.getState()));
    };
    push();
    const unsubscribe = store.subscribe((s, prev) => {
      if (timer || Object.is(selector(s), selector(prev))) return;
      const wait = last + ms - performance.now();
      if (wait <= 0) push();
      else timer = setTimeout(push, wait);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [store, selector, ms]);
  return value;
}
