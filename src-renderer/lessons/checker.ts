// Decides a check step: it gathers what happened since the step's window began (the merged
// timeline, fire results) and what the kernel shows now (the journal's /proc tree, TCP_INFO
// queue), and asks the lesson's goal. Only new events are read at each look, so a check costs
// little however fast events come.
import type { ForkscopeEvent } from '../../server-core/events';
import { runNow, type Journal } from '../store/journal';
import type { FireRecord, Goal, Verdict, World } from './types';

/** Events kept for one window at most (a check looks at a few hundred; this bounds a flood). */
const MAX_EVENTS = 50_000;

/** A fire that finished, and where the timeline stood then. */
export interface FireAt {
  seq: number;
  fire: FireRecord;
}

export class Window {
  private readonly events: ForkscopeEvent[] = [];
  /** The next timeline position to read. */
  private next: number;

  /** `fires`: the lesson's fire log, read from `from` on. */
  constructor(
    readonly from: number,
    private readonly fires: readonly FireAt[],
  ) {
    this.next = from;
  }

  /** Reads the timeline entries that arrived since the last look. */
  private catchUp(journal: Journal): void {
    const tl = journal.timeline;
    const start = Math.max(this.next, tl.first);
    for (let seq = start; seq < tl.end; seq++) {
      const entry = tl.at(seq);
      if (entry) this.events.push(entry.e);
    }
    this.next = tl.end;
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  world(journal: Journal): World {
    this.catchUp(journal);
    const zombies = journal.procs.zombies;
    return {
      events: this.events,
      procs: journal.procs.nodes(),
      zombies: { count: zombies.count, pids: zombies.pids },
      queue: { length: journal.summary.queue.length, backlog: journal.summary.queue.backlog },
      run: journal.run(),
      fires: this.fires.filter((f) => f.seq >= this.from).map((f) => f.fire),
      now: runNow(journal.clock),
    };
  }

  judge(goal: Goal, journal: Journal): Verdict {
    return goal(this.world(journal));
  }
}
