// Connection ids. The master numbers the connections it accepts 1, 2, 3…; prefork workers
// accept themselves, so each numbers its own within a block of the id space keyed by its
// serial number — unique in the run without asking the master. A block holds a billion
// (a worker would need years of traffic to run out; a million took minutes under wrk).
// People read a pool worker's id as `serial.n`: #3.17 is worker 3's 17th connection.
export const POOL_CONN_BLOCK = 1_000_000_000;

/** The id of the n-th connection a prefork worker (by its serial number) accepted. */
export function poolConnId(serial: number, n: number): number {
  return serial * POOL_CONN_BLOCK + n;
}

/** How a connection id is shown: `17`, or `3.17` for a prefork worker's. */
export function connLabel(conn: number): string {
  return conn < POOL_CONN_BLOCK ? String(conn) : `${Math.floor(conn / POOL_CONN_BLOCK)}.${conn % POOL_CONN_BLOCK}`;
}

/** The id a person typed, as connLabel shows it (`#` optional); null when it is not one. */
export function parseConnLabel(text: string): number | null {
  const m = /^#?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  return m[2] === undefined ? Number(m[1]) : poolConnId(Number(m[1]), Number(m[2]));
}
