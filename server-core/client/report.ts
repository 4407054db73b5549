// The burst summary for people: answers by status class, counts by outcome, how long the
// connections waited, latency percentiles, bytes, and every kind of error once, with its
// explanation.
import { reasonPhrase } from '../http/reason-phrases';
import { statusClass } from './stats';
import { outcomeWords, summary as words } from './strings';
import type { FireSummary } from './types';

/** "11 × 5xx server error: … (503 Service Unavailable ×11)" for each class, fewest-numbered first. */
export function answerLines(s: Pick<FireSummary, 'statuses'>): string[] {
  const byClass = new Map<string, [string, number][]>();
  for (const [code, n] of Object.entries(s.statuses).sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const cls = statusClass(Number(code));
    byClass.set(cls, [...(byClass.get(cls) ?? []), [code, n]]);
  }
  return [...byClass].map(([cls, list]) =>
    words.answerClass(
      list.reduce((a, [, n]) => a + n, 0),
      cls,
      list.map(([code, n]) => `${code} ${reasonPhrase(Number(code))} ×${n}`).join(', '),
    ),
  );
}

export function formatSummary(s: FireSummary): string {
  const lines = [words.title(s.total, s.ms)];
  const answers = answerLines(s);
  if (answers.length) lines.push(`  ${words.answers}: ${answers.join(' · ')}`);
  const outcomes = Object.entries(s.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${outcomeWords[k] ?? k}`);
  lines.push(`  ${words.outcomes}: ${outcomes.join(' · ') || '—'}`);
  if (s.queueMs) lines.push(`  ${words.queued(s.queueMs.p50, s.queueMs.max, s.queueMs.n, s.total)}`);
  else if (s.waitMs) lines.push(`  ${words.waited(s.waitMs.p50, s.waitMs.max)}`);
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
