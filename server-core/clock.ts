// One clock for every process of a run: CLOCK_MONOTONIC (process.hrtime) is system-wide,
// so a worker given the master's origin stamps events on the master's timeline.
let origin: bigint = process.hrtime.bigint();

export function setOrigin(ns: string | bigint): void {
  origin = typeof ns === 'bigint' ? ns : BigInt(ns);
}

export function getOrigin(): string {
  return origin.toString();
}

/** ms since the origin, with µs resolution. */
export function now(): number {
  return Number(process.hrtime.bigint() - origin) / 1e6;
}
