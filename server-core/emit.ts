// Every producer narrates through an Emit function: it stamps `t` and `pid` and hands the
// event to one sink (JSON lines on stdout, the human log, or a worker's event pipe).
import type { EventInput, ForkscopeEvent } from './events';
import { now } from './clock';

export type Sink = (event: ForkscopeEvent) => void;
export type Emit = (event: EventInput) => void;

/**
 * The input object itself becomes the event (stamped in place, no copy: emit runs several
 * times per request), so pass a fresh object each time — as every `emit({ … })` does.
 */
export function makeEmit(sink: Sink, pid: number = process.pid): Emit {
  return (input) => {
    const event = input as ForkscopeEvent;
    event.t = now();
    event.pid = pid;
    sink(event);
  };
}

/** Emits to several sinks; used when a run both logs for humans and records events. */
export function fanOut(...sinks: Sink[]): Sink {
  return (event) => {
    for (const sink of sinks) sink(event);
  };
}
