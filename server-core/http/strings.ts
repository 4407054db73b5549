// Every sentence the HTTP layer says about one connection: why a request was refused (sent to
// the client as the body of the answer and put in the `error` event), and what went wrong
// with the socket. Kept together so a translation can follow.

const msg = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const s = (ms: number): string => `${+(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const kib = (n: number): string => (n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);

export const H = {
  // ── bad input (llhttp error codes and our own checks) ─────────────────────
  badRequestLine: (reason: string): string =>
    `Malformed request line (${reason}). A request starts with a line such as 'GET /hello HTTP/1.1'.`,
  badHeaderName: (reason: string): string =>
    `Invalid header (${reason}). A header is 'Name: value', and a name may only use letters, digits and !#$%&'*+-.^_\`|~.`,
  headersTooLarge: (limit: number): string =>
    `The request line and headers are larger than ${kib(limit)} in all.`,
  lengthAndChunked: (): string =>
    'The request has both Content-Length and Transfer-Encoding, so its length is ambiguous (a classic request-smuggling trick). Send one of them.',
  badContentLength: (reason: string): string =>
    `Invalid Content-Length (${reason}). It must be one non-negative decimal number.`,
  badChunked: (reason: string): string => `Invalid chunked body (${reason}).`,
  chunkExtensionsTooLarge: (): string => 'The chunk extensions of the body are too large.',
  badRequest: (reason: string): string => `The request is not valid HTTP/1.x (${reason}).`,
  closedMidRequest: (): string => 'The client closed its side of the connection in the middle of a request.',
  missingHost: (): string => 'An HTTP/1.1 request must have a Host header (RFC 9112, section 3.2).',
  duplicateHost: (): string => 'The request has more than one Host header (RFC 9112, section 3.2 asks for exactly one).',
  http09: (): string =>
    "The request line has no HTTP version (an HTTP/0.9 request). Write it as 'GET /path HTTP/1.1'.",
  versionNotSupported: (version: string): string =>
    `HTTP/${version} is not supported here: this server speaks HTTP/1.0 and HTTP/1.1.`,
  bodyTooLarge: (limit: number, announced: number | null): string =>
    announced !== null
      ? `The body is ${announced} bytes (Content-Length); this server accepts at most ${limit} bytes (${kib(limit)}).`
      : `The body is larger than ${limit} bytes (${kib(limit)}), the most this server accepts.`,
  expectationFailed: (value: string): string =>
    `Unsupported Expect header '${value}'; only '100-continue' is understood.`,
  connectNotAllowed: (): string => 'CONNECT (tunnelling) is not supported by this server.',
  readTimeoutIdle: (ms: number): string =>
    `The client connected but sent no request within ${s(ms)} (read timeout; --read-timeout changes it).`,
  readTimeoutStalled: (ms: number): string =>
    `The request line and headers did not all arrive within ${s(ms)} of the request's start (read timeout; --read-timeout changes it).`,
  bodyTimeout: (ms: number): string =>
    `The request body did not all arrive within ${s(ms)} of the request's start (--body-timeout changes it).`,

  // ── the app and the socket ───────────────────────────────────────────────
  appFailed: (err: unknown): string => `The app failed: ${msg(err)}`,
  appFailedAfterHeaders: (err: unknown): string =>
    `The app failed after the response headers were sent, so the connection was cut: ${msg(err)}`,
  responseError: (err: unknown): string => `Writing the response failed: ${msg(err)}`,
  socketError: (err: unknown): string => `Socket error: ${msg(err)}`,
  writeStalled: (ms: number): string =>
    `The client took none of the answer for ${s(ms)}, so the connection was cut (read timeout; --read-timeout changes it).`,
  cut: (): string => 'The connection was cut: the server is stopping.',
  clientGone: (): string => 'The client closed the connection before the response was complete.',
  internalError: 'Internal Server Error',
};
