// Every sentence the built-in client shows a person: error explanations, transcript info
// lines, the burst summary and CLI messages. Kept together so a translation can follow.

const s = (ms: number): string => (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);

/** Plain-words explanations, keyed by the client's error codes (errno names or our own). */
export const explain = {
  ECONNREFUSED: (host: string, port: number): string =>
    `Nothing listens on ${host} port ${port}: the kernel answered the connection request (SYN) with a reset. Start the server there, or check the port.`,
  CONNECT_TIMEOUT: (retries: number, ms: number): string =>
    `The connection was not established within ${s(ms)} s. The server's kernel dropped every SYN (${retries} sent again): ` +
    `its accept queue stayed full — Linux queues backlog + 1 connections and silently drops further SYNs — or nothing at that address answers at all.`,
  SYN_RETRY: (): string =>
    'Connects took a second or more because the server\'s accept queue was full: its kernel queues backlog + 1 connections ' +
    'and silently drops further SYNs, and the client\'s kernel sends the SYN again after a timeout — 1 s, then longer ' +
    '(classic Linux doubles it: 1 s, 3 s, 7 s…; recent kernels retry every second a few times first).',
  ECONNRESET: (): string =>
    'The server\'s kernel reset the connection (RST): the server closed its socket while data it had not read was still waiting, or the process holding the connection died.',
  EPIPE: (): string => 'The server had already closed the connection while the client was still sending.',
  TIMEOUT: (ms: number): string =>
    `No complete response within ${s(ms)} s: the request is still waiting — in the accept queue behind a busy server, or in a server that has not answered yet.`,
  NO_EOF: (graceMs: number): string =>
    `The response was complete, but the server did not close the connection (no end-of-file within ${graceMs} ms). ` +
    'Some process still holds its copy of the socket — e.g. a parent that handed the connection to a child and did not close its own descriptor (--parent-keeps-conn). ' +
    'A client reading to end-of-file would wait forever.',
  EOF_NO_RESPONSE: (): string =>
    'The server closed the connection without sending any response (it gave up waiting for the request, or the process serving it died).',
  EOF_EARLY: (): string => 'The server closed the connection before the response was complete.',
  BAD_RESPONSE: (detail: string): string => `The reply is not valid HTTP: ${detail}.`,
  EADDRNOTAVAIL: (): string =>
    'No free local port to connect from: too many recent connections still occupy ports (TIME_WAIT). Lower --clients/--conns or wait a minute.',
  EMFILE: (): string => 'This client ran out of file descriptors (RLIMIT_NOFILE). Lower --max-conns.',
  DEADLINE: (ms: number): string => `The run reached its overall time limit (${s(ms)} s) and stopped this connection.`,
  ABORTED: (): string => 'The run was stopped before this connection finished.',
  OTHER: (code: string, message: string): string => `${code}: ${message}`,
} as const;

/** curl -v style info lines (`* …`) of a single request's transcript. */
export const info = {
  connecting: (host: string, port: number): string => `Trying ${host} port ${port}…`,
  connected: (host: string, port: number, localPort: number, ms: number): string =>
    `Connected to ${host} port ${port} (local port ${localPort}) in ${ms.toFixed(1)} ms`,
  synRetries: (n: number): string =>
    `The SYN was sent again ${n} time${n === 1 ? '' : 's'}: the server's accept queue was full and its kernel dropped the earlier ones.`,
  synRetryLive: (n: number, ms: number): string =>
    `Still connecting after ${s(ms)} s: SYN sent again (${n}) — the server's accept queue is full.`,
  sendNothing: 'Sending nothing; waiting for the server',
  slow: (ms: number): string => (ms > 0 ? `Sending one byte every ${ms} ms` : 'Sending one byte per write, without pausing'),
  sent: (bytes: number): string => `Sent ${bytes} bytes`,
  firstByte: (ms: number): string => `First response byte after ${ms.toFixed(1)} ms`,
  done: (status: number, bytes: number, ms: number): string =>
    `Response complete: status ${status}, ${bytes} body bytes, ${ms.toFixed(1)} ms after connecting`,
  eof: (ms: number): string => `The server closed the connection (end-of-file) at ${ms.toFixed(1)} ms`,
  holding: (sec: number): string => `Holding the connection open for ${sec} s`,
  closed: 'Closed the connection',
  held: (sec: number): string => `Closed the connection after holding it ${sec} s (nothing was asked, nothing was answered)`,
  error: (code: string, explanation: string): string => `Error ${code}: ${explanation}`,
  bodyTruncated: 'Later response bytes were not recorded (transcript cap reached)',
  binary: (bytes: number): string => `[${bytes} bytes of binary data not shown]`,
} as const;

/** The burst summary. */
export const summary = {
  title: (total: number, ms: number): string => `${total} connection${total === 1 ? '' : 's'} in ${s(ms)} s`,
  outcomes: 'Outcomes',
  latency: (p50: number, p90: number, p99: number, max: number): string =>
    `Latency (connect → complete response): p50 ${p50.toFixed(1)} ms · p90 ${p90.toFixed(1)} ms · p99 ${p99.toFixed(1)} ms · max ${max.toFixed(1)} ms`,
  bytes: (received: number, sent: number): string => `Bytes: ${received} received, ${sent} sent`,
  errors: 'Errors',
  notes: 'Notes',
  answers: 'Answers',
  answerClass: (n: number, cls: string, statuses: string): string => `${n} × ${cls} ${classWords[cls] ?? 'of no known class'} (${statuses})`,
  waited: (p50: number, max: number): string =>
    `Waited (handshake → first byte of the answer): p50 ${p50.toFixed(1)} ms · max ${max.toFixed(1)} ms — in the server's accept queue until it accepted, then while it worked on the answer`,
  queued: (p50: number, max: number, n: number, of: number): string =>
    `In the accept queue (handshake → the server's accept): p50 ${p50.toFixed(1)} ms · max ${max.toFixed(1)} ms (${n} of ${of} connections)`,
  progress: (done: number, total: number, open: number, errors: number, sec: number): string =>
    `${done}/${total} done · ${open} open · ${errors} error${errors === 1 ? '' : 's'} · ${sec.toFixed(1)} s`,
  starting: (clients: number, conns: number, target: string): string =>
    `Firing ${clients} client${clients === 1 ? '' : 's'} × ${conns} connection${conns === 1 ? '' : 's'} at ${target}`,
} as const;

/** What a status class means (FireSummary.classes): an answer is not a success. */
export const classWords: Record<string, string> = {
  '1xx': 'informational',
  '2xx': 'success',
  '3xx': 'redirect',
  '4xx': 'client error: the server refused the request',
  '5xx': 'server error: the server could not serve it',
};

/** Words for the outcome keys of FireSummary.outcomes. */
export const outcomeWords: Record<string, string> = {
  ok: 'got a response',
  'no-eof': 'response, but no end-of-file',
  held: 'held open, nothing asked',
  refused: 'refused',
  'connect-timeout': 'never connected',
  timeout: 'no response in time',
  reset: 'reset by the server',
  closed: 'closed without a complete response',
  'bad-response': 'invalid response',
  aborted: 'stopped',
  error: 'other error',
};

/** Usage errors of `forkscope fire` (one line each, exit 2). */
export const usage = {
  positiveInt: (flag: string, v: string): string => `${flag} needs a whole number ≥ 1, got '${v}'`,
  nonNegative: (flag: string, v: string): string => `${flag} needs a number ≥ 0, got '${v}'`,
  positive: (flag: string, v: string): string => `${flag} needs a number > 0, got '${v}'`,
  badUrl: (v: string): string => `'${v}' is not a URL; try http://127.0.0.1:8888/hello or a path such as /slow?ms=500`,
  scheme: (v: string): string => `only plain http:// is supported (the forkscope server speaks HTTP without TLS), got '${v}'`,
  remote: (host: string): string =>
    `refusing to fire at ${host}: it is not a loopback address (127.0.0.0/8, ::1, localhost). This is a load tool; add --allow-remote if you really mean it`,
  badHeader: (v: string): string => `--header needs 'Name: value', got '${v}'`,
  rawAndData: 'use either --raw or --data/--method/--header, not both',
  rawAndNothing: 'use either --raw or --send-nothing, not both',
  slowAndNothing: 'use either --slow or --send-nothing, not both',
  rawRead: (path: string, why: string): string => `cannot read --raw ${path}: ${why}`,
  rawEmpty: (path: string): string => `--raw ${path} is empty: nothing to send (use --send-nothing to send nothing on purpose)`,
  lookup: (host: string, why: string): string => `cannot resolve ${host}: ${why}`,
  internal: (why: string): string => `forkscope fire: internal error: ${why}`,
} as const;

/** Help text for `forkscope fire`. */
export const help = {
  description:
    'the built-in client: fire single, burst, raw, slow and hold-open requests at a server and follow each connection (SYN retries, accept queue, EOF)',
  url: 'target URL; a bare path such as /slow?ms=500 means 127.0.0.1:8888',
  clients: "concurrent clients (--max-clients of client3.py, the tutorial's Part 3 client)",
  conns: "sequential connections per client (--max-conns of the tutorial's client3.py)",
  maxConns: "at most this many connections open at once across all clients (a cap; the tutorial's --max-conns is --conns here)",
  rate: 'start at most this many new connections per second',
  method: 'request method (default GET, or POST with --data)',
  header: "add a request header 'Name: value' (repeatable; 'Name:' removes a default header)",
  data: 'request body (sets Content-Length; method defaults to POST)',
  raw: 'send the bytes of FILE (or - for stdin) exactly as given, instead of a built request',
  slow: 'dribble the request one byte every MS ms (0: one write per byte, no pause)',
  sendNothing: 'connect and send nothing (a client that never speaks)',
  hold: 'keep each connection open at least S seconds after it is established',
  timeout: 'per-connection limit in seconds for connecting and getting the response',
  eofGrace: 'after a complete response, wait this long (ms) for the server to close',
  deadline: 'overall limit for the whole run in seconds (default: computed from the others)',
  json: 'print one JSON event per line, then a final {"type":"fire-summary"} line',
  allowRemote: 'allow targets outside 127.0.0.0/8, ::1 and localhost',
} as const;
