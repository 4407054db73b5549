// One clock for every process of a run: CLOCK_MONOTONIC (process.hrtime) is system-wide,
// so a worker given the master's origin stamps events on the master's timeline.
// now() runs for every event, so it reads performance.now() — the same CLOCK_MONOTONIC
// (libuv's uv_hrtime), counted from this process's start and as a plain number — plus an
// offset to the origin worked out once, instead of a BigInt subtraction per call.

let origin: bigint = process.hrtime.bigint();
/** origin → this process's performance.now() zero, in ms. */
let offsetMs = offsetOf(origin);

export function setOrigin(ns: string | bigint): void {
  origin = typeof ns === 'bigint' ? ns : BigInt(ns);
  offsetMs = offsetOf(origin);
}

export function getOrigin(): string {
  return origin.toString();
}

/** ms since the origin, with µs resolution (rounded to the ns, as hrtime counts: short in JSON). */
export function now(): number {
  return Math.round((performance.now() + offsetMs) * 1e6) / 1e6;
}

/** hrtime − origin − performance.now(), from the closest-spaced of a few paired readings. */
function offsetOf(from: bigint): number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const hr = process.hrtime.bigint();
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      offset = Number(hr - from) / 1e6 - (before + after) / 2;
    }
  }
  return offset;
}
