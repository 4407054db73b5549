// Every producer narrates through an Emit function: it stamps `t` and `pid` and hands the
// event to one sink (JSON lines on stdout, the human log, or a worker's event pipe).
import type { EventInput, ForkscopeEvent } from './events';
import { now } from './clock';

export type Sink = (event: ForkscopeEvent) => void;
export type Emit = (event: EventInput) => void;

export function makeEmit(sink: Sink, pid: number = process.pid): Emit {
  return (input) => sink({ ...input, t: now(), pid } as ForkscopeEvent);
}

/** Emits to several sinks; used when a run both logs for humans and records events. */
export function fanOut(...sinks: Sink[]): Sink {
  return (event) => {
    for (const sink of sinks) sink(event);
  };
}
