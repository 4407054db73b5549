// From connection results to the FireSummary: outcome counts, latency percentiles, errors
// grouped by kind with their explanations, and notes such as SYN-delayed connects.
import { RESPONDED, type ConnResult } from './connection';
import { explain } from './strings';
import type { FireSummary, Spread } from './types';

/** Nearest-rank percentile of ascending-sorted values (p in 0..100); NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The median and the maximum of some durations, or undefined for none. */
export function spreadOf(values: readonly number[]): Spread | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), max: round(sorted[sorted.length - 1]), n: sorted.length };
}

/** '2xx', '5xx', …: the class a status belongs to. */
export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

export function summarize(results: readonly ConnResult[], ms: number): FireSummary {
  const outcomes: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const errors = new Map<string, { code: string; explanation: string; count: number }>();
  const latencies: number[] = [];
  const classes: Record<string, number> = {};
  const waits: number[] = [];
  let bytes = 0;
  let sentBytes = 0;
  let responded = 0;
  let synDelayed = 0;
  for (const r of results) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (r.status !== undefined) {
      statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
      classes[statusClass(r.status)] = (classes[statusClass(r.status)] ?? 0) + 1;
    }
    if (r.firstByteMs !== undefined && r.connectMs !== undefined && r.status !== undefined) waits.push(r.firstByteMs - r.connectMs);
    if (r.latencyMs !== undefined) latencies.push(r.latencyMs);
    if (RESPONDED.has(r.outcome)) responded++;
    if (r.synRetries > 0) synDelayed++;
    bytes += r.receivedBytes;
    sentBytes += r.sentBytes;
    if (r.error) {
      // Same code, same lesson: keep the first explanation (they differ only in numbers).
      const e = errors.get(r.error.code);
      if (e) e.count++;
      else errors.set(r.error.code, { ...r.error, count: 1 });
    }
  }
  latencies.sort((a, b) => a - b);
  const notes: NonNullable<FireSummary['notes']> = [];
  if (synDelayed > 0) notes.push({ code: 'SYN_RETRY', explanation: explain.SYN_RETRY(), count: synDelayed });
  return {
    total: results.length,
    outcomes,
    statuses,
    latencyMs: latencies.length
      ? {
          p50: round(percentile(latencies, 50)),
          p90: round(percentile(latencies, 90)),
          p99: round(percentile(latencies, 99)),
          max: round(latencies[latencies.length - 1]),
        }
      : null,
    bytes,
    errors: [...errors.values()].sort((a, b) => b.count - a.count),
    ms: round(ms),
    responded,
    sentBytes,
    notes,
    classes,
    ...(waits.length ? { waitMs: spreadOf(waits) } : {}),
  };
}
