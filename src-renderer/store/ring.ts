// A fixed-capacity ring of items numbered by a running sequence: memory stays bounded
// however long the run, and readers address items by their sequence number.
export class Ring<T> {
  private readonly items: (T | undefined)[];
  /** Sequence number the next pushed item gets. */
  private next = 0;

  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }

  push(item: T): number {
    const seq = this.next++;
    this.items[seq % this.capacity] = item;
    return seq;
  }

  /** Sequence number of the oldest item still held. */
  get first(): number {
    return Math.max(0, this.next - this.capacity);
  }

  /** Sequence number the next item will get (one past the newest). */
  get end(): number {
    return this.next;
  }

  get size(): number {
    return this.next - this.first;
  }

  at(seq: number): T | undefined {
    if (seq < this.first || seq >= this.next) return undefined;
    return this.items[seq % this.capacity];
  }

  /** Items with first ≤ seq < end (clamped), oldest first, that pass `keep`. */
  collect(keep: (item: T) => boolean, end = this.next, from = this.first): T[] {
    const out: T[] = [];
    const stop = Math.min(end, this.next);
    for (let s = Math.max(from, this.first); s < stop; s++) {
      const item = this.items[s % this.capacity] as T;
      if (keep(item)) out.push(item);
    }
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
  }
}
