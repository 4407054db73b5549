// The timeline's filtered rows, kept up to date a frame at a time: each update filters only the
// entries that arrived since the last one and lets go of those the ring dropped, instead of
// filtering all 20,000 again. That makes redrawing the list every frame cheap enough, so a new
// event is listed in the frame after it arrives (docs/benchmarks.md, event-to-screen latency).
import type { Ring } from '../store/ring';

/** Past this many dropped rows at the front, the arrays are compacted (amortized O(1)). */
const COMPACT_AT = 4096;

export class FilteredRows<T> {
  private items: T[] = [];
  private positions: number[] = [];
  private start = 0;
  /** Ring position up to which entries were looked at, and the entry just before it. */
  private upTo: number;
  private lastSeen: T | undefined;

  constructor(
    private readonly ring: Ring<T>,
    private readonly keep: (x: T) => boolean,
  ) {
    this.upTo = ring.first;
  }

  /** The kept entries at ring positions first ≤ p < end, oldest first (a new array each call). */
  rows(end: number): T[] {
    const stop = Math.min(end, this.ring.end);
    if (this.cleared(stop)) this.restart();
    for (let p = Math.max(this.upTo, this.ring.first); p < stop; p++) {
      const x = this.ring.at(p) as T;
      if (this.keep(x)) {
        this.items.push(x);
        this.positions.push(p);
      }
    }
    if (stop > this.upTo) {
      this.upTo = stop;
      this.lastSeen = this.ring.at(stop - 1);
    }
    const first = this.ring.first;
    while (this.start < this.positions.length && this.positions[this.start] < first) this.start++;
    if (this.start > COMPACT_AT && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.positions = this.positions.slice(this.start);
      this.start = 0;
    }
    return this.items.slice(this.start);
  }

  /** The ring was cleared (a new snapshot) since the last update: its positions start over. */
  private cleared(stop: number): boolean {
    if (stop < this.upTo) return true;
    const last = this.upTo - 1;
    return last >= this.ring.first && this.ring.at(last) !== this.lastSeen;
  }

  private restart(): void {
    this.items = [];
    this.positions = [];
    this.start = 0;
    this.upTo = this.ring.first;
    this.lastSeen = undefined;
  }
}
