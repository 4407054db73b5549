// The master's stdout, line by line, onto the supervisor's clock. The master's `listening`
// event carries its origin (CLOCK_MONOTONIC ns of its t = 0), so each `t` is rebased by the
// difference of the two origins; worker events, stamped on the master's clock, follow it.
import type { ForkscopeEvent } from '../../server-core/events';
import { getOrigin, now as clockNow } from '../../server-core/clock';
import { parseEvent } from './ndjson';

const MAX_NON_JSON_NOTICES = 20;

export class MasterStream {
  /** ms to add to the master's `t` (null until `listening` arrives). */
  offsetMs: number | null = null;
  private nonJson = 0;

  constructor(
    private readonly sink: (e: ForkscopeEvent) => void,
    private readonly notice: (line: string) => void,
    private readonly now: () => number = clockNow,
    private readonly origin: bigint = BigInt(getOrigin()),
  ) {}

  /** Takes one stdout line: an event goes to the sink, anything else becomes a (bounded) notice. */
  line(line: string): void {
    const e = parseEvent(line);
    if (!e) {
      if (line.trim() && this.nonJson++ < MAX_NON_JSON_NOTICES) this.notice(line.slice(0, 200));
      return;
    }
    if (e.type === 'listening' && typeof e.origin === 'string' && /^\d+$/.test(e.origin)) {
      this.offsetMs = Number(BigInt(e.origin) - this.origin) / 1e6;
    }
    // Before `listening` the master's origin is unknown: the arrival time is the best guess.
    e.t = this.offsetMs === null ? this.now() : Math.round((e.t + this.offsetMs) * 1000) / 1000;
    this.sink(e);
  }
}
