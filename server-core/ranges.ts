// The allowed range of every numeric server option, in one place: the CLI, the IPC schemas
// and the app's form all check against these, so the UI never offers what the server refuses.
export interface Range {
  min: number;
  max: number;
}

export const RANGES = {
  port: { min: 0, max: 65535 },
  backlog: { min: 0, max: 65535 },
  workers: { min: 1, max: 64 },
  maxRequests: { min: 0, max: 1_000_000_000 },
  workerConnections: { min: 1, max: 1024 },
  nofile: { min: 16, max: 1 << 20 },
  maxZombies: { min: 1, max: 100_000 },
  /** Seconds; at least 1 ms so a tiny value never rounds to "no time at all". */
  workerTimeoutS: { min: 0.001, max: 86_400 },
  readTimeoutS: { min: 0.001, max: 3600 },
  bodyTimeoutS: { min: 0.001, max: 3600 },
  /** observe: a process id (Linux's pid_max is at most 2^22), and how long to wait for a listener. */
  pid: { min: 1, max: 4_194_304 },
  listenTimeoutS: { min: 0.1, max: 600 },
} as const satisfies Record<string, Range>;
