// One client connection's life, narrated: connect (watching the kernel retry the SYN),
// send (all at once, dribbled, or nothing), read the response, wait for the server's
// end-of-file, hold, close. Raw net.Socket so every byte is seen exactly as it travelled.
import net from 'node:net';
import type { Emit } from '../emit';
import { now } from '../clock';
import { ResponseReader } from './response';
import { explain } from './strings';
import type { Target } from './target';
import { synRetriesOf } from './syn-watch';

/** How a connection ended, keyed as in FireSummary.outcomes. */
export type Outcome = 'ok' | 'no-eof' | 'held' | 'refused' | 'connect-timeout' | 'timeout' | 'reset' | 'closed' | 'bad-response' | 'aborted' | 'error';

/** Outcomes that count as "got a response" (or did what was asked) for the exit code. */
export const RESPONDED: ReadonlySet<Outcome> = new Set<Outcome>(['ok', 'no-eof', 'held']);

export interface ConnPlan {
  id: number;
  target: Target;
  /** Bytes to send; null sends nothing. */
  payload: Buffer | null;
  /** The request method, for framing (a HEAD response has no body). */
  method: string;
  /** Dribble one byte every slowMs ms (0: one write per byte, no pause). */
  slowMs?: number;
  /** Keep the connection open until this long after it was established. */
  holdMs?: number;
  /** Limit for connecting and getting the response. */
  timeoutMs: number;
  eofGraceMs: number;
  /** Transcript bytes recorded per direction. */
  captureBytes: number;
}

export interface ConnResult {
  id: number;
  outcome: Outcome;
  status?: number;
  localPort?: number;
  connectMs?: number;
  synRetries: number;
  /** connect start → complete response. */
  latencyMs?: number;
  /** connect start → the first byte of the answer. */
  firstByteMs?: number;
  bodyBytes: number;
  /** Response bytes on the wire (head + body + framing). */
  receivedBytes: number;
  sentBytes: number;
  error?: { code: string; explanation: string };
}

export interface Connection {
  /** The exchange is over (response, error or timeout); a burst client moves on. */
  exchanged: Promise<ConnResult>;
  /** The socket is closed (after any hold); its slot is free. */
  closed: Promise<void>;
}

interface TcpHandle {
  fd?: number;
  getsockname?(out: { port?: number }): number;
}
const handleOf = (sock: net.Socket): TcpHandle | undefined => (sock as unknown as { _handle?: TcpHandle })._handle;

/** Text when the bytes are valid UTF-8, else base64: the contract's transcript encoding. */
export function encodeBytes(buf: Buffer): { data: string; encoding: 'utf8' | 'base64' } {
  try {
    return { data: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'utf8' };
  } catch {
    return { data: buf.toString('base64'), encoding: 'base64' };
  }
}

const SYN_POLL_MS = 100;

/** Called while a connect is pending each time the kernel is seen to have sent the SYN again. */
export type SynRetryHook = (id: number, retries: number, ms: number) => void;

export function openConnection(plan: ConnPlan, emit: Emit, signal: AbortSignal, onSynRetry?: SynRetryHook): Connection {
  const { id, target } = plan;
  const t0 = now();
  const since = (): number => +(now() - t0).toFixed(3);
  const result: ConnResult = { id, outcome: 'error', synRetries: 0, bodyBytes: 0, receivedBytes: 0, sentBytes: 0 };
  const reader = new ResponseReader(plan.method);
  const sock = new net.Socket({ allowHalfOpen: true });
  sock.setNoDelay(true);

  let connected = false;
  let exchangeOver = false;
  let eofSeen = false;
  let doneEmitted = false;
  let capturedIn = 0;
  let capturedOut = 0;
  let fd = -1;
  let synPoll: NodeJS.Timeout | undefined;
  let eofTimer: NodeJS.Timeout | undefined;
  let holdTimer: NodeJS.Timeout | undefined;

  let resolveExchanged!: (r: ConnResult) => void;
  let resolveClosed!: () => void;
  const exchanged = new Promise<ConnResult>((r) => (resolveExchanged = r));
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const timeout = setTimeout(onTimeout, plan.timeoutMs);
  // Stopping the run ends a pending exchange, and closes a held socket too.
  const onAbort = (): void => (exchangeOver ? closeSocket() : finish('aborted', signalCode(signal)));
  signal.addEventListener('abort', onAbort, { once: true });

  sock.on('connect', onConnect);
  sock.on('data', onData);
  sock.on('end', onEnd);
  sock.on('error', onError);
  sock.on('close', onClose);
  sock.connect({ host: target.address, port: target.port });

  // The connect() system call is issued on the next tick (Node connects IP literals without
  // a lookup); after it the kernel has picked the local port, and the fd can be watched.
  let announced = false;
  process.nextTick(() => {
    announce();
    if (!connected && !exchangeOver && fd >= 0) synPoll = setInterval(watchSyn, SYN_POLL_MS);
  });
  if (signal.aborted) queueMicrotask(onAbort);

  /** client-connect, once, before any other event of this connection. */
  function announce(): void {
    if (announced) return;
    announced = true;
    const h = handleOf(sock);
    fd = typeof h?.fd === 'number' ? h.fd : -1;
    const name: { port?: number } = {};
    const localPort = fd >= 0 && h?.getsockname && h.getsockname(name) === 0 ? name.port : undefined;
    emit({ type: 'client-connect', id, host: target.address, port: target.port, ...(localPort ? { localPort } : {}) });
  }

  function watchSyn(): void {
    // A SYN_SENT socket's tcpi_retransmits counts the SYNs sent again: each one means the
    // server's kernel dropped the previous SYN (its accept queue was full).
    const n = synRetriesOf(fd, 'pending');
    if (n !== null && n > result.synRetries) {
      result.synRetries = n;
      if (!connected && !exchangeOver) onSynRetry?.(id, n, since());
    }
  }

  function onConnect(): void {
    connected = true;
    result.connectMs = since();
    if (synPoll) clearInterval(synPoll);
    const total = synRetriesOf(fd, 'connected');
    if (total !== null) result.synRetries = Math.max(result.synRetries, total);
    result.localPort = sock.localPort;
    emit({
      type: 'client-connected',
      id,
      localPort: sock.localPort ?? 0,
      ms: result.connectMs,
      ...(total !== null ? { synRetries: result.synRetries } : {}),
      ...(result.synRetries > 0 ? { explanation: explain.SYN_RETRY() } : {}),
    });
    if (plan.holdMs !== undefined) holdTimer = setTimeout(onHoldEnd, plan.holdMs);
    void send();
  }

  async function send(): Promise<void> {
    const payload = plan.payload;
    if (!payload || payload.length === 0) return;
    if (plan.slowMs === undefined) {
      await write(payload);
      return;
    }
    for (let i = 0; i < payload.length; i++) {
      if (sock.destroyed || exchangeOver || eofSeen || reader.complete) return;
      await write(payload.subarray(i, i + 1));
      if (i + 1 < payload.length) await pause(plan.slowMs);
    }
  }

  function write(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (sock.destroyed || !sock.writable) return resolve();
      sock.write(bytes, (err) => {
        if (!err) {
          result.sentBytes += bytes.length;
          const room = Math.max(0, plan.captureBytes - capturedOut);
          const shown = bytes.subarray(0, room);
          capturedOut += shown.length;
          emit({ type: 'client-sent', id, bytes: bytes.length, ...(shown.length ? encodeBytes(shown) : {}) });
        }
        resolve();
      });
    });
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
  }

  function onData(chunk: Buffer): void {
    if (result.receivedBytes === 0) {
      result.firstByteMs = since();
      emit({ type: 'client-first-byte', id, ms: result.firstByteMs });
    }
    result.receivedBytes += chunk.length;
    if (capturedIn < plan.captureBytes) {
      const shown = chunk.subarray(0, plan.captureBytes - capturedIn);
      capturedIn += shown.length;
      emit({ type: 'client-received', id, ...encodeBytes(shown), truncated: shown.length < chunk.length });
    }
    reader.feed(chunk);
    if (exchangeOver) return;
    if (reader.state === 'error') {
      finish('bad-response', { code: 'BAD_RESPONSE', explanation: explain.BAD_RESPONSE(reader.error ?? 'unreadable') });
      return;
    }
    if (reader.complete) onResponseComplete();
  }

  function onResponseComplete(): void {
    if (doneEmitted) return;
    doneEmitted = true;
    result.status = reader.head?.status;
    result.bodyBytes = reader.bodyBytes;
    result.latencyMs = since();
    emit({ type: 'client-done', id, status: reader.head?.status ?? 0, bytes: reader.bodyBytes, ms: result.latencyMs });
    if (eofSeen) return finish('ok');
    // The server chose keep-alive: no end-of-file is expected, so there is nothing to wait for.
    if (reader.keepAlive) return finish('ok');
    // The --parent-keeps-conn lesson: complete per its framing, but is the connection closed?
    eofTimer = setTimeout(() => {
      finish('no-eof', { code: 'NO_EOF', explanation: explain.NO_EOF(plan.eofGraceMs) });
    }, plan.eofGraceMs);
  }

  function onEnd(): void {
    eofSeen = true;
    reader.end();
    if (!exchangeOver && reader.complete) onResponseComplete();
    emit({ type: 'client-eof', id, ms: since() });
    if (exchangeOver) return;
    if (reader.complete) return finish('ok');
    if (reader.state === 'error') return;
    if (result.receivedBytes === 0) finish('closed', { code: 'EOF_NO_RESPONSE', explanation: explain.EOF_NO_RESPONSE() });
    else finish('closed', { code: 'EOF_EARLY', explanation: explain.EOF_EARLY() });
  }

  function onError(err: NodeJS.ErrnoException): void {
    if (exchangeOver) return; // e.g. a reset after the response was complete: nothing lost.
    if (reader.complete) return finish('ok');
    const code = err.code ?? 'ERROR';
    switch (code) {
      case 'ECONNREFUSED':
        return finish('refused', { code, explanation: explain.ECONNREFUSED(target.address, target.port) });
      case 'ECONNRESET':
        return finish('reset', { code, explanation: explain.ECONNRESET() });
      case 'EPIPE':
        return finish('reset', { code, explanation: explain.EPIPE() });
      case 'EADDRNOTAVAIL':
        return finish('error', { code, explanation: explain.EADDRNOTAVAIL() });
      case 'EMFILE':
        return finish('error', { code, explanation: explain.EMFILE() });
      default:
        return finish('error', { code, explanation: explain.OTHER(code, err.message) });
    }
  }

  function onTimeout(): void {
    if (exchangeOver) return;
    if (!connected) {
      watchSyn();
      return finish('connect-timeout', { code: 'CONNECT_TIMEOUT', explanation: explain.CONNECT_TIMEOUT(result.synRetries, plan.timeoutMs) });
    }
    // A silent client that holds: the hold's end, not this timeout, ends its wait.
    if (plan.payload === null && plan.holdMs !== undefined && holdTimer) return;
    finish('timeout', { code: 'TIMEOUT', explanation: explain.TIMEOUT(plan.timeoutMs) });
  }

  function onHoldEnd(): void {
    holdTimer = undefined;
    if (!exchangeOver && plan.payload === null) finish('held');
    if (exchangeOver) closeSocket();
  }

  /** Decides the outcome once; the socket closes now, or when the hold ends. */
  function finish(outcome: Outcome, error?: { code: string; explanation: string }): void {
    if (exchangeOver) return;
    exchangeOver = true;
    announce();
    clearTimeout(timeout);
    if (eofTimer) clearTimeout(eofTimer);
    if (synPoll) clearInterval(synPoll);
    result.outcome = outcome;
    if (error) {
      result.error = error;
      emit({ type: 'client-error', id, code: error.code, explanation: error.explanation });
    }
    resolveExchanged({ ...result });
    const keepOpen = holdTimer !== undefined && outcome !== 'aborted' && !sock.destroyed;
    if (!keepOpen) closeSocket();
  }

  function closeSocket(): void {
    if (holdTimer) clearTimeout(holdTimer);
    holdTimer = undefined;
    signal.removeEventListener('abort', onAbort);
    if (!sock.destroyed) sock.destroy();
    else resolveClosed();
  }

  function onClose(): void {
    if (!exchangeOver) finish('closed', { code: 'EOF_EARLY', explanation: explain.EOF_EARLY() });
    if (holdTimer) clearTimeout(holdTimer);
    signal.removeEventListener('abort', onAbort);
    resolveClosed();
  }

  return { exchanged, closed };
}

/** The code and explanation for a connection stopped by the run's signal. */
function signalCode(signal: AbortSignal): { code: string; explanation: string } {
  const reason: unknown = signal.reason;
  if (reason && typeof reason === 'object' && 'deadlineMs' in reason && typeof reason.deadlineMs === 'number') {
    return { code: 'DEADLINE', explanation: explain.DEADLINE(reason.deadlineMs) };
  }
  return { code: 'ABORTED', explanation: explain.ABORTED() };
}
