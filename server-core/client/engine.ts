// The built-in client engine: one function per mode, each taking FireOptions and an event
// callback and resolving to a FireSummary. Used by `forkscope fire` and by the app's main
// process (supervisor). Plain Node; no Electron.
//
// A burst is the tutorial's client3.py (Part 3): N concurrent clients, each making M
// connections one after another; --max-conns caps the connections open at once and --rate
// paces their starts.
import { setMaxListeners } from 'node:events';
import { makeEmit, type Emit } from '../emit';
import { now } from '../clock';
import type { ClientEvent } from '../events';
import { openConnection, RESPONDED, type ConnPlan, type ConnResult, type SynRetryHook } from './connection';
import { Aborted, Pacer, Slots } from './gate';
import { buildRequest, methodOf } from './request';
import { summarize } from './stats';
import { resolveTarget, DEFAULT_URL, type Target } from './target';
import { usage } from './strings';
import type { FireMode, FireOptions, FireSummary } from './types';

export type ClientSink = (event: ClientEvent) => void;

export interface Progress {
  /** Connections whose exchange is over. */
  done: number;
  total: number;
  /** Sockets open right now (held ones included). */
  open: number;
  /** Connections that ended without a response. */
  errors: number;
}

export interface FireControl {
  /** Stops the run: pending connections end as 'aborted'. */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Every connection's result, as it is known. */
  onResult?: (r: ConnResult) => void;
  /** A pending connect's SYN was sent again (live; client-connected reports the total). */
  onSynRetry?: SynRetryHook;
}

/** Bad options for the engine (the CLI reports these as usage errors). */
export class FireOptionsError extends Error {}

export const DEFAULT_TIMEOUT_S = 20;
export const DEFAULT_EOF_GRACE_MS = 1000;
/** Per direction, per connection, in client-sent / client-received data. */
export const CAPTURE_BYTES = 64 * 1024;
export const MAX_CLIENTS = 1000;
export const MAX_TOTAL = 100_000;

export function defaultFireOptions(over: Partial<FireOptions> = {}): FireOptions {
  return {
    url: DEFAULT_URL,
    mode: 'single',
    method: '',
    headers: [],
    clients: 1,
    conns: 1,
    timeoutS: DEFAULT_TIMEOUT_S,
    allowRemote: false,
    ...over,
  };
}

/** A plain-words problem with the options, or null. */
export function checkOptions(o: FireOptions): string | null {
  const int = (v: number | undefined): boolean => v !== undefined && Number.isInteger(v) && v >= 1;
  if (!int(o.clients)) return usage.positiveInt('--clients', String(o.clients));
  if (!int(o.conns)) return usage.positiveInt('--conns', String(o.conns));
  if (o.clients > MAX_CLIENTS) return `--clients is at most ${MAX_CLIENTS}, got ${o.clients}`;
  if (o.clients * o.conns > MAX_TOTAL) return `--clients × --conns is at most ${MAX_TOTAL}, got ${o.clients * o.conns}`;
  if (o.maxConns !== undefined && !int(o.maxConns)) return usage.positiveInt('--max-conns', String(o.maxConns));
  if (o.rate !== undefined && !(o.rate > 0)) return usage.positive('--rate', String(o.rate));
  if (!(o.timeoutS > 0)) return usage.positive('--timeout', String(o.timeoutS));
  if (o.slowMs !== undefined && !(o.slowMs >= 0)) return usage.nonNegative('--slow', String(o.slowMs));
  if (o.holdS !== undefined && !(o.holdS >= 0)) return usage.nonNegative('--hold', String(o.holdS));
  if (o.eofGraceMs !== undefined && !(o.eofGraceMs >= 0)) return usage.nonNegative('--eof-grace', String(o.eofGraceMs));
  if (o.deadlineS !== undefined && !(o.deadlineS > 0)) return usage.positive('--deadline', String(o.deadlineS));
  if (o.rawBase64 !== undefined && o.sendNothing) return usage.rawAndNothing;
  if (o.slowMs !== undefined && o.sendNothing) return usage.slowAndNothing;
  if (o.rawBase64 !== undefined && Buffer.from(o.rawBase64, 'base64').length === 0) return usage.rawEmpty('(base64)');
  switch (o.mode) {
    case 'raw':
      return o.rawBase64 === undefined ? 'raw mode needs the bytes to send (rawBase64 / --raw FILE)' : null;
    case 'slow':
      return o.slowMs === undefined && !o.sendNothing ? 'slow mode needs slowMs (--slow MS) or sendNothing' : null;
    case 'hold':
      return o.holdS === undefined ? 'hold mode needs holdS (--hold S)' : null;
    default:
      return null;
  }
}

/** One connection with the options' request (clients/conns are ignored). */
export function fireSingle(opts: FireOptions, onEvent: ClientSink, ctl: FireControl = {}): Promise<FireSummary> {
  return run({ ...opts, mode: 'single', clients: 1, conns: 1 }, onEvent, ctl);
}
/** clients × conns requests: the tutorial's client3.py. */
export function fireBurst(opts: FireOptions, onEvent: ClientSink, ctl: FireControl = {}): Promise<FireSummary> {
  return run({ ...opts, mode: 'burst' }, onEvent, ctl);
}
/** Sends rawBase64's bytes exactly as given on each connection. */
export function fireRaw(opts: FireOptions, onEvent: ClientSink, ctl: FireControl = {}): Promise<FireSummary> {
  return run({ ...opts, mode: 'raw' }, onEvent, ctl);
}
/** Dribbles the request one byte per slowMs, or sends nothing at all (sendNothing). */
export function fireSlow(opts: FireOptions, onEvent: ClientSink, ctl: FireControl = {}): Promise<FireSummary> {
  return run({ ...opts, mode: 'slow' }, onEvent, ctl);
}
/** Keeps each connection open holdS seconds after it is established. */
export function fireHold(opts: FireOptions, onEvent: ClientSink, ctl: FireControl = {}): Promise<FireSummary> {
  return run({ ...opts, mode: 'hold' }, onEvent, ctl);
}

const byMode: Record<FireMode, typeof fireSingle> = {
  single: fireSingle,
  burst: fireBurst,
  raw: fireRaw,
  slow: fireSlow,
  hold: fireHold,
};

/** Runs the mode named in opts.mode. */
export function fire(opts: FireOptions, onEvent: ClientSink, ctl: FireControl = {}): Promise<FireSummary> {
  return byMode[opts.mode](opts, onEvent, ctl);
}

/** The same run as an async iterator of events, plus its summary. */
export function fireEvents(opts: FireOptions, ctl: FireControl = {}): { events: AsyncIterableIterator<ClientEvent>; summary: Promise<FireSummary> } {
  const queue: ClientEvent[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  const summary = fire(opts, (e) => {
    queue.push(e);
    wake?.();
  }, ctl).finally(() => {
    finished = true;
    wake?.();
  });
  summary.catch(() => undefined); // the caller sees the rejection through `summary`
  async function* drain(): AsyncGenerator<ClientEvent> {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (finished) return;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  }
  return { events: drain(), summary };
}

/** What each connection sends, and how. */
function payloadOf(opts: FireOptions, target: Target): { payload: Buffer | null; method: string } {
  if (opts.sendNothing) return { payload: null, method: opts.method || 'GET' };
  if (opts.rawBase64 !== undefined) {
    const payload = Buffer.from(opts.rawBase64, 'base64');
    return { payload, method: methodOf(payload) };
  }
  const payload = buildRequest(opts, target);
  return { payload, method: methodOf(payload) };
}

/** A bound that only stops a stuck run: every wave of connections at its own worst case. */
export function defaultDeadlineMs(opts: FireOptions, perConnMs: number): number {
  const total = opts.clients * opts.conns;
  const concurrency = Math.min(opts.clients, opts.maxConns ?? opts.clients);
  const waves = Math.ceil(total / concurrency);
  const pacing = opts.rate ? (total / opts.rate) * 1000 : 0;
  return waves * perConnMs + pacing + 5000;
}

async function run(opts: FireOptions, onEvent: ClientSink, ctl: FireControl): Promise<FireSummary> {
  const problem = checkOptions(opts);
  if (problem) throw new FireOptionsError(problem);
  const target = await resolveTarget(opts.url, opts.allowRemote).catch((err: Error) => {
    throw new FireOptionsError(err.message);
  });
  const started = now();
  const emit: Emit = makeEmit((e) => onEvent(e as ClientEvent));
  const { payload, method } = payloadOf(opts, target);
  const eofGraceMs = opts.eofGraceMs ?? DEFAULT_EOF_GRACE_MS;
  // --timeout counts from the connect; a --slow dribble gets its own time on top.
  const dribbleMs = opts.slowMs !== undefined && payload ? payload.length * Math.max(opts.slowMs, 1) : 0;
  const timeoutMs = opts.timeoutS * 1000 + dribbleMs;
  const holdMs = opts.holdS !== undefined ? opts.holdS * 1000 : undefined;
  const perConnMs = timeoutMs + eofGraceMs + (holdMs ?? 0);
  const deadlineMs = opts.deadlineS !== undefined ? opts.deadlineS * 1000 : defaultDeadlineMs(opts, perConnMs);

  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const outer = ctl.signal;
  const onOuterAbort = (): void => stop.abort(outer?.reason);
  if (outer?.aborted) stop.abort(outer.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const deadline = setTimeout(() => stop.abort({ deadlineMs }), deadlineMs);

  const total = opts.clients * opts.conns;
  const slots = new Slots(opts.maxConns ?? opts.clients);
  const pacer = new Pacer(opts.rate);
  const results: ConnResult[] = [];
  const closing: Promise<void>[] = [];
  let nextId = 1;
  let errors = 0;
  const progress = (): void => ctl.onProgress?.({ done: results.length, total, open: slots.inUse, errors });
  const record = (r: ConnResult): void => {
    results.push(r);
    if (!RESPONDED.has(r.outcome)) errors++;
    ctl.onResult?.(r);
    progress();
  };

  async function client(): Promise<void> {
    for (let k = 0; k < opts.conns; k++) {
      try {
        await slots.acquire(stop.signal);
      } catch (err) {
        if (!(err instanceof Aborted)) throw err;
        return notStarted(opts.conns - k);
      }
      try {
        await pacer.wait(stop.signal);
      } catch (err) {
        slots.release();
        if (!(err instanceof Aborted)) throw err;
        return notStarted(opts.conns - k);
      }
      const plan: ConnPlan = {
        id: nextId++,
        target,
        payload,
        method,
        slowMs: opts.slowMs,
        holdMs,
        timeoutMs,
        eofGraceMs,
        captureBytes: CAPTURE_BYTES,
      };
      const conn = openConnection(plan, emit, stop.signal, ctl.onSynRetry);
      progress();
      closing.push(
        conn.closed.then(() => {
          slots.release();
          progress();
        }),
      );
      record(await conn.exchanged);
    }
  }

  /** Connections never started because the run was stopped still count, as 'aborted'. */
  function notStarted(n: number): void {
    for (let i = 0; i < n; i++) record({ id: 0, outcome: 'aborted', synRetries: 0, bodyBytes: 0, receivedBytes: 0, sentBytes: 0 });
  }

  try {
    await Promise.all(Array.from({ length: opts.clients }, client));
    await Promise.all(closing);
  } finally {
    clearTimeout(deadline);
    outer?.removeEventListener('abort', onOuterAbort);
  }
  return summarize(results, now() - started);
}
