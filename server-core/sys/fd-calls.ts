// The calls a connection's I/O port (http/port.ts) makes on its descriptor, in two spellings of
// the same system calls: recv/send/shutdown/close through koffi where the process has loaded it
// (the iterative model's master, prefork workers), and read(2)/write(2)/close(2) through Node's
// fs in a fork-model worker — which does not load koffi, because every request in that model
// pays for the worker's start (koffi is loaded there only for the rare wait or shutdown).
import { closeSync, readSync, writeSync } from 'node:fs';
import { tracer, traced } from './calls';

export interface FdCalls {
  /** Bytes read into `into`; 0 at end of file; -1 when nothing has arrived. Throws (ECONNRESET…). */
  recv(fd: number, into: Buffer): number;
  /** Bytes the kernel took; -1 when it took none (full). Throws (EPIPE, ECONNRESET…). */
  send(fd: number, data: Uint8Array): number;
  /** shutdown(SHUT_WR): our side is done, the client may still send. */
  shutdownWrite(fd: number): Promise<void>;
  close(fd: number): void;
}

/** Through koffi: recv(2), send(2), shutdown(2), close(2). */
export async function koffiCalls(): Promise<FdCalls> {
  const { recvNow, sendNow, shutdownWrite, closeQuietly } = await import('./socket');
  return {
    recv: (fd, into) => recvNow(fd, into),
    send: sendNow,
    shutdownWrite: async (fd) => shutdownWrite(fd),
    close: closeQuietly,
  };
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/**
 * One read(2) or write(2) through fs on the non-blocking socket, told to --calls: bytes, or -1
 * when it would block. Throws other failures (ECONNRESET, EPIPE).
 */
function nonBlocking(call: 'read' | 'write', fd: number, length: number, op: () => number): number {
  try {
    const n = op();
    if (tracer) traced(call, `${fd}, ${length}`, n);
    return n;
  } catch (err) {
    if (tracer) traced(call, `${fd}, ${length}`, -1, code(err));
    if (code(err) === 'EAGAIN' || code(err) === 'EWOULDBLOCK') return -1;
    throw err;
  }
}

/** Through Node's fs: read(2), write(2), close(2) on the (non-blocking) socket. */
export const fsCalls: FdCalls = {
  recv: (fd, into) => nonBlocking('read', fd, into.length, () => readSync(fd, into, 0, into.length, null)),
  send: (fd, data) => nonBlocking('write', fd, data.length, () => writeSync(fd, data)),
  async shutdownWrite(fd) {
    const { shutdownWrite } = await import('./socket');
    shutdownWrite(fd);
  },
  close(fd) {
    try {
      closeSync(fd);
      if (tracer) traced('close', String(fd), 0);
    } catch (err) {
      if (tracer) traced('close', String(fd), -1, code(err));
    }
  },
};
