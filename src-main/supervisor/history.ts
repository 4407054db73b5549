// The bounded history: a ring of the last N events (default 100,000), addressed by sequence
// number, so memory stays flat however long a run streams.
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private head = 0; // index of the oldest item
  private count = 0;
  /** Sequence number the next pushed item gets. */
  nextSeq = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history size must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Sequence number of the oldest item still held. */
  get firstSeq(): number {
    return this.nextSeq - this.count;
  }

  push(item: T): number {
    const seq = this.nextSeq++;
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
    }
    return seq;
  }

  /** The newest `n` items (all when n ≥ size), oldest first. */
  last(n: number = this.count): T[] {
    const k = Math.max(0, Math.min(n, this.count));
    const out = new Array<T>(k);
    const start = this.head + this.count - k;
    for (let i = 0; i < k; i++) out[i] = this.items[(start + i) % this.capacity] as T;
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
