// One clock for every process of a run: CLOCK_MONOTONIC (process.hrtime) is system-wide,
// so a worker given the master's origin stamps events on the master's timeline.
// now() runs for every event: it reads process.hrtime() — seconds and nanoseconds as plain
// numbers, no BigInt — not performance.now(), whose global loads perf_hooks on first use
// (a millisecond of every fork-model worker's start).

let originS = 0;
let originNs = 0;
setOrigin(process.hrtime.bigint());

export function setOrigin(ns: string | bigint): void {
  const origin = typeof ns === 'bigint' ? ns : BigInt(ns);
  originS = Number(origin / 1_000_000_000n);
  originNs = Number(origin % 1_000_000_000n);
}

export function getOrigin(): string {
  return (BigInt(originS) * 1_000_000_000n + BigInt(originNs)).toString();
}

/** ms since the origin, with µs resolution (rounded to the ns, as hrtime counts: short in JSON). */
export function now(): number {
  const [s, ns] = process.hrtime();
  return Math.round((s - originS) * 1e9 + (ns - originNs)) / 1e6;
}
