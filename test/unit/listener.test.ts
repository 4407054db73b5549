// The raw listener against the real kernel: backlog + 1 queued (read back from TCP_INFO),
// accept4 with the peer's address, a cancellable poll, EADDRINUSE, IPv6.
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openListener, type Listener } from '../../server-core/listener';
import { SysError } from '../../server-core/sys/libc';
import { F_GETFD, F_GETFL, FD_CLOEXEC, O_NONBLOCK, closeQuietly, decodeSockaddr, encodeSockaddr, fcntl } from '../../server-core/sys/socket';
import { readTcpInfo } from '../../server-core/sys/tcpinfo';

const open: Listener[] = [];
const clients: Socket[] = [];
afterEach(() => {
  for (const l of open.splice(0)) l.close();
  for (const c of clients.splice(0)) c.destroy();
});

function listener(host = '127.0.0.1', backlog = 3): Listener {
  const l = openListener(host, 0, backlog);
  open.push(l);
  return l;
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('openListener', () => {
  it('is a non-blocking, close-on-exec LISTEN socket on the chosen port', () => {
    const l = listener();
    expect(l.port).toBeGreaterThan(0);
    expect(fcntl(l.fd, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(fcntl(l.fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    expect(readTcpInfo(l.fd).stateName).toBe('LISTEN');
    expect(l.queue()).toEqual({ length: 0, backlog: 3 });
  });

  it('lets the kernel queue backlog + 1 connections, then accepts them with their peer address', async () => {
    const l = listener('127.0.0.1', 3);
    for (let i = 0; i < 6; i++) clients.push(connect(l.port, '127.0.0.1').on('error', () => {}));
    await until(() => l.queue().length === 4);
    await new Promise((r) => setTimeout(r, 100));
    expect(l.queue()).toEqual({ length: 4, backlog: 3 }); // never more than backlog + 1
    expect(await l.waitReadable()).toBe(true);
    const a = l.accept()!;
    expect(a.peer.address).toBe('127.0.0.1');
    expect(clients.map((c) => c.localPort)).toContain(a.peer.port);
    expect(readTcpInfo(a.fd).stateName).toBe('ESTABLISHED');
    expect(fcntl(a.fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    closeQuietly(a.fd);
    let n = 1;
    while (l.accept()) n++;
    expect(n).toBe(4);
  });

  it('returns null from accept() when nobody waits, and cancels a pending wait', async () => {
    const l = listener();
    expect(l.accept()).toBeNull();
    const waiting = l.waitReadable();
    setTimeout(() => l.cancelWait(), 50);
    expect(await waiting).toBe(false);
    // The next wait still works after a cancel.
    const next = l.waitReadable();
    clients.push(connect(l.port, '127.0.0.1'));
    expect(await next).toBe(true);
  });

  it('refuses a port that is taken with EADDRINUSE', async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as { port: number }).port;
    try {
      expect(() => openListener('127.0.0.1', port, 5)).toThrow(SysError);
      try {
        openListener('127.0.0.1', port, 5);
      } catch (err) {
        expect((err as SysError).code).toBe('EADDRINUSE');
      }
    } finally {
      other.close();
    }
  });

  it('listens on IPv6 too', async () => {
    let l: Listener;
    try {
      l = listener('::1');
    } catch (err) {
      if (err instanceof SysError && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) return; // no IPv6 here
      throw err;
    }
    clients.push(connect(l.port, '::1'));
    expect(await l.waitReadable()).toBe(true);
    const a = l.accept()!;
    expect(a.peer.address).toBe('::1');
    closeQuietly(a.fd);
  });
});

describe('sockaddr', () => {
  it('round-trips IPv4 and IPv6 addresses', () => {
    for (const [addr, want] of [
      ['127.0.0.1', '127.0.0.1'],
      ['::1', '::1'],
      ['::', '::'],
      ['fe80::1:2', 'fe80::1:2'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ]) {
      expect(decodeSockaddr(Buffer.concat([encodeSockaddr(addr, 8888), Buffer.alloc(100)]))).toEqual({ address: want, port: 8888 });
    }
  });
});
