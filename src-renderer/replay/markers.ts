// The moments that matter in a recording, for marks on the scrubber that jump there: the first
// zombie, the accept queue full (each time it fills), EMFILE, a worker killed by a signal, the
// kernel and the master disagreeing.
import type { ForkscopeEvent } from '../../server-core/events';

export type MarkerKind = 'zombie' | 'queue-full' | 'emfile' | 'killed' | 'divergence';

export interface Marker {
  kind: MarkerKind;
  /** The event's index in the recording and its time (ms). */
  index: number;
  t: number;
  /** What it was about: a pid, a queue length. */
  detail?: string;
}

/** Marks of one kind after this many are left out (a long flood would paint the bar solid). */
const PER_KIND = 50;

export class MarkerFinder {
  readonly markers: Marker[] = [];
  /**
   * `kernel`: the recording has the kernel's own samples (the app's): the first zombie is the
   * first `proc` sample with one, as the zombie count on screen is. Else the master's count.
   */
  constructor(private readonly kernel: boolean) {}

  private readonly counts = new Map<MarkerKind, number>();
  private zombieSeen = false;
  private queueFull = false;
  private emfileOpen = false;

  /** Looks at the event at `index`. */
  take(e: ForkscopeEvent, index: number): void {
    switch (e.type) {
      case 'master-start':
        this.zombieSeen = false;
        this.queueFull = false;
        this.emfileOpen = false;
        return;
      case 'proc':
        if (this.kernel && !this.zombieSeen && e.zombies > 0) this.first('zombie', e, index, String(e.zombies));
        return;
      case 'zombies':
        if (!this.kernel && !this.zombieSeen && e.count > 0) this.first('zombie', e, index, String(e.count));
        return;
      case 'queue': {
        // Linux holds backlog + 1 finished handshakes; past that, SYNs are dropped.
        const full = e.backlog > 0 && e.length > e.backlog;
        if (full && !this.queueFull) this.add('queue-full', e, index, `${e.length}/${e.backlog + 1}`);
        this.queueFull = full;
        return;
      }
      case 'error':
        if (e.code === 'EMFILE' && !this.emfileOpen) this.add('emfile', e, index);
        return;
      case 'accepting':
        // Accepting again after an EMFILE pause: the next EMFILE is a new moment.
        if (e.on) this.emfileOpen = false;
        return;
      case 'reap':
        if (e.signal) this.add('killed', e, index, `${e.child} ${e.signal}`);
        return;
      case 'divergence':
        if (!e.resolved) this.add('divergence', e, index, e.what);
        return;
      default:
        return;
    }
  }

  private first(kind: MarkerKind, e: ForkscopeEvent, index: number, detail: string): void {
    this.zombieSeen = true;
    this.add(kind, e, index, detail);
  }

  private add(kind: MarkerKind, e: ForkscopeEvent, index: number, detail?: string): void {
    if (kind === 'emfile') this.emfileOpen = true;
    const n = this.counts.get(kind) ?? 0;
    if (n >= PER_KIND) return;
    this.counts.set(kind, n + 1);
    this.markers.push({ kind, index, t: e.t, ...(detail !== undefined ? { detail } : {}) });
  }
}
