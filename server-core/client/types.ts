// The built-in client's options and results (issue 4); shared with the supervisor and UI.
export type FireMode = 'single' | 'burst' | 'raw' | 'slow' | 'hold';

export interface FireOptions {
  /** Default http://127.0.0.1:8888/hello */
  url: string;
  mode: FireMode;
  method: string;
  headers: [string, string][];
  body?: string;
  /** burst: concurrent clients, and sequential connections per client. */
  clients: number;
  conns: number;
  /** Upper bound on concurrent connections across clients. */
  maxConns?: number;
  /** New connections per second across the burst. */
  rate?: number;
  /** raw: the exact bytes to send, base64. */
  rawBase64?: string;
  /** slow: ms between bytes; with sendNothing, connect and send nothing. */
  slowMs?: number;
  sendNothing?: boolean;
  /** hold: keep each connection open this many seconds. */
  holdS?: number;
  /** Per-connection timeout, seconds. */
  timeoutS: number;
  allowRemote: boolean;
  /** After a complete response, how long to wait for the server's end-of-file (default 1000). */
  eofGraceMs?: number;
  /** Overall limit for the run, seconds (default: computed so that it only stops a stuck run). */
  deadlineS?: number;
}

export interface FireSummary {
  total: number;
  /** Outcome → count: 'ok' (got a response), 'refused', 'timeout', 'reset', 'no-eof', … */
  outcomes: Record<string, number>;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number } | null;
  bytes: number;
  errors: { code: string; explanation: string; count: number }[];
  ms: number;
  /** Connections that got a response (outcomes ok + no-eof) or were held as asked (held). */
  responded?: number;
  /** Request bytes sent. */
  sentBytes?: number;
  /** Things worth knowing that are not errors, e.g. connects delayed by SYN retries. */
  notes?: { code: string; explanation: string; count: number }[];
  /** Answers by status class ('2xx', '5xx', …): an answer is not a success. */
  classes?: Record<string, number>;
  /** Handshake done → first byte of the answer, over the answered connections: time in the
   * server's accept queue, then the server's own work (the client alone cannot split the two). */
  waitMs?: Spread;
  /** Handshake done → the server's accept: time in the accept queue itself. Only where the
   * server's `accept` events are seen too (the app's supervisor joins them by port). */
  queueMs?: Spread;
}

export interface Spread {
  p50: number;
  max: number;
  /** How many connections the numbers are over. */
  n: number;
}
