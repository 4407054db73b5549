// Two gates a burst passes before each connect: a cap on connections open at once
// (--max-conns; a held connection still counts) and a pace (--rate connections per second).

/** Thrown to a waiter when the run is stopped. */
export class Aborted extends Error {
  constructor() {
    super('aborted');
  }
}

/** A counting semaphore: at most `limit` connections open at once. */
export class Slots {
  private open = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  get inUse(): number {
    return this.open;
  }

  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new Aborted());
    if (this.open < this.limit) {
      this.open++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.open++;
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  release(): void {
    this.open--;
    const next = this.waiters.shift();
    if (next) next();
  }
}

/** Spaces connection starts at least 1/rate s apart across all clients. */
export class Pacer {
  private nextAt = 0;
  constructor(private readonly perSecond: number | undefined) {}

  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new Aborted());
    if (!this.perSecond) return Promise.resolve();
    const now = performance.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + 1000 / this.perSecond;
    if (at <= now) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, at - now);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
