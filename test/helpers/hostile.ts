// Hostile clients for tests: one that dribbles its request a byte at a time (slowloris), one
// that asks for a large answer and never reads it, and timing helpers. Loopback only.
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';

export interface Outcome {
  /** ms from the connection's start to the server closing it (or to the test giving up). */
  closedAfterMs: number;
  /** Every byte the server sent. */
  received: Buffer;
  /** The client's port: the server's `accept` event names it as peer.port. */
  localPort: number;
  /** true when the server closed the connection (FIN or reset) before `giveUpMs`. */
  closedByServer: boolean;
}

async function connected(port: number): Promise<Socket> {
  const sock = createConnection({ port, host: '127.0.0.1' });
  sock.on('error', () => {});
  await once(sock, 'connect');
  return sock;
}

/**
 * Sends `prefix` at once, then `text` one byte every `everyMs` — and, once it is all sent,
 * nothing more — until the server closes the connection or `giveUpMs` passes.
 */
export async function dribble(port: number, text: string, everyMs: number, giveUpMs: number, prefix = ''): Promise<Outcome> {
  const start = performance.now();
  const sock = await connected(port);
  const localPort = sock.localPort ?? 0;
  if (prefix) sock.write(prefix);
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  let closed = false;
  const done = once(sock, 'close').then(() => (closed = true));
  let i = 0;
  const timer = setInterval(() => {
    if (i < text.length && !sock.destroyed) sock.write(text[i++]);
  }, everyMs);
  const giveUp = setTimeout(() => sock.destroy(), giveUpMs);
  await done;
  clearInterval(timer);
  clearTimeout(giveUp);
  const closedByServer = closed && performance.now() - start < giveUpMs - 5;
  return { closedAfterMs: performance.now() - start, received: Buffer.concat(chunks), localPort, closedByServer };
}

/** Sends `request` and reads nothing; the kernel's buffers fill. `end()` lets go of it. */
export async function neverRead(port: number, request: string): Promise<{ localPort: number; end(): void }> {
  const sock = await connected(port);
  sock.pause();
  sock.write(request);
  return { localPort: sock.localPort ?? 0, end: () => sock.destroy() };
}

/** A GET for `target` with Host, closing after the answer. */
export function get(target: string, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;
}

/** ms a one-request exchange takes, with its status (null when no answer came: reset, or nothing). */
export async function timedGet(
  port: number,
  target: string,
  giveUpMs = 10_000,
  /** Start reading only this long after the request is sent (a client busy elsewhere). */
  readAfterMs = 0,
): Promise<{ ms: number; status: number | null; reset: boolean }> {
  const start = performance.now();
  const sock = createConnection({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  let reset = false;
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('error', () => (reset = true));
  sock.on('connect', () => {
    sock.write(get(target));
    if (readAfterMs > 0) {
      sock.pause();
      setTimeout(() => sock.resume(), readAfterMs);
    }
  });
  const giveUp = setTimeout(() => sock.destroy(), giveUpMs);
  await new Promise((r) => sock.once('close', r));
  clearTimeout(giveUp);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
  return { ms: performance.now() - start, status: m ? Number(m[1]) : null, reset };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
