// Reading a built-in app's knobs from the query string (?ms=…, ?bytes=…).

/** An integer query parameter clamped to [min, max]; `fallback` when absent or not a number. */
export function intParam(query: string, name: string, fallback: number, min: number, max: number): number {
  const raw = new URLSearchParams(query).get(name);
  const n = raw === null || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n)) return fallback;
  return Math.max(min, Math.min(max, Math.trunc(n)));
}

/** The query string of a request target ('/slow?ms=5' → 'ms=5'). */
export function queryOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? '' : target.slice(q + 1);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
