// The burst summary for people: counts by outcome, latency percentiles, bytes, and every
// kind of error once, with its explanation.
import { outcomeWords, summary as words } from './strings';
import type { FireSummary } from './types';

export function formatSummary(s: FireSummary): string {
  const lines = [words.title(s.total, s.ms)];
  const outcomes = Object.entries(s.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${outcomeWords[k] ?? k}`);
  lines.push(`  ${words.outcomes}: ${outcomes.join(' · ') || '—'}`);
  const statuses = Object.entries(s.statuses).map(([code, n]) => `${code} ×${n}`);
  if (statuses.length) lines.push(`  ${words.statuses}: ${statuses.join(' · ')}`);
  if (s.latencyMs) lines.push(`  ${words.latency(s.latencyMs.p50, s.latencyMs.p90, s.latencyMs.p99, s.latencyMs.max)}`);
  lines.push(`  ${words.bytes(s.bytes, s.sentBytes ?? 0)}`);
  if (s.errors.length) {
    lines.push(`  ${words.errors}:`);
    for (const e of s.errors) lines.push(`    ${e.count} × ${e.code} — ${e.explanation}`);
  }
  if (s.notes?.length) {
    lines.push(`  ${words.notes}:`);
    for (const n of s.notes) lines.push(`    ${n.count} × ${n.code} — ${n.explanation}`);
  }
  return `${lines.join('\n')}\n`;
}
