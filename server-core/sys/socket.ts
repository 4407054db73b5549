// Sockets through raw system calls (koffi), so forkscope — not libuv — owns its sockets: it
// chooses the backlog (the tutorial's listen lesson), decides when to accept, and reads and
// writes each connection itself: socket, bind, listen, accept4, recv, send, shutdown, close.
// Each call is reported to --calls (calls.ts) as it is made.
// Linux first; macOS gets the same calls where they exist (no accept4/pipe2: fcntl instead).
import { isIPv4, isIPv6 } from 'node:net';
import { E, SysError, check, errnoName, koffi, libc } from './libc';
import { tracer, traced } from './calls';
import type { Peer } from '../events';

const linux = process.platform === 'linux';
const darwin = process.platform === 'darwin';

export const AF_INET = 2;
export const AF_INET6 = linux ? 10 : 30;
export const SOCK_STREAM = 1;
/** Linux-only flags for socket()/accept4(); macOS sets them with fcntl afterwards. */
export const SOCK_NONBLOCK = linux ? 0o4000 : 0;
export const SOCK_CLOEXEC = linux ? 0o2000000 : 0;
export const SOL_SOCKET = linux ? 1 : 0xffff;
export const SO_REUSEADDR = linux ? 2 : 4;
/** How long a blocking receive — on a listening socket, accept() — waits before EAGAIN. */
export const SO_RCVTIMEO = linux ? 20 : 0x1006;
export const IPPROTO_TCP = 6;
export const MSG_PEEK = 2;
export const MSG_DONTWAIT = linux ? 0x40 : 0x80;
/** No SIGPIPE for a peer that has gone (Node ignores SIGPIPE anyway; macOS has no such flag). */
export const MSG_NOSIGNAL = linux ? 0x4000 : 0;

export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = linux ? 1030 : 67;
export const FD_CLOEXEC = 1;
export const O_NONBLOCK = linux ? 0o4000 : 0x4;
export const O_CLOEXEC = linux ? 0o2000000 : 0x1000000;

/** Big enough for sockaddr_in6 (28 bytes) on every platform. */
export const SOCKADDR_MAX = 128;

const socket_ = libc.func('int socket(int domain, int type, int protocol)');
const setsockopt_ = libc.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)');
const getsockopt_ = libc.func('int getsockopt(int fd, int level, int name, void *value, void *len)');
const bind_ = libc.func('int bind(int fd, const void *addr, uint32_t len)');
const listen_ = libc.func('int listen(int fd, int backlog)');
const getsockname_ = libc.func('int getsockname(int fd, void *addr, void *len)');
const getpeername_ = libc.func('int getpeername(int fd, void *addr, void *len)');
export const accept4_ = linux ? libc.func('int accept4(int fd, void *addr, void *len, int flags)') : null;
export const accept_ = libc.func('int accept(int fd, void *addr, void *len)');
const close_ = libc.func('int close(int fd)');
const shutdown_ = libc.func('int shutdown(int fd, int how)');
// fcntl is variadic: declared so, or its third argument goes astray on arm64.
const fcntl_ = libc.func('int fcntl(int fd, int cmd, ...)');
const pipe2_ = linux ? libc.func('int pipe2(void *fds, int flags)') : null;
const pipe_ = libc.func('int pipe(void *fds)');
const read_ = libc.func('long read(int fd, void *buf, unsigned long count)');
const recv_ = libc.func('long recv(int fd, void *buf, unsigned long len, int flags)');
const send_ = libc.func('long send(int fd, const void *buf, unsigned long len, int flags)');
const write_ = libc.func('long write(int fd, const void *buf, unsigned long count)');

// ── addresses ────────────────────────────────────────────────────────────────

function parseIPv6(address: string): Buffer {
  let text = address;
  const out = Buffer.alloc(16);
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) becomes the last two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === null ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export function formatIPv6(bytes: Buffer): string {
  // IPv4-mapped (a v4 client of a dual-stack socket): keep the dotted form people recognise.
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** sockaddr_in / sockaddr_in6 for an IP literal. */
export function encodeSockaddr(address: string, port: number): Buffer {
  if (isIPv4(address)) {
    const sa = Buffer.alloc(16);
    writeFamily(sa, AF_INET, 16);
    sa.writeUInt16BE(port, 2);
    address.split('.').forEach((b, i) => (sa[4 + i] = Number(b)));
    return sa;
  }
  if (isIPv6(address)) {
    const sa = Buffer.alloc(28);
    writeFamily(sa, AF_INET6, 28);
    sa.writeUInt16BE(port, 2);
    parseIPv6(address.replace(/%.*$/, '')).copy(sa, 8);
    return sa;
  }
  throw new Error(`not an IP address: ${address}`);
}

function writeFamily(sa: Buffer, family: number, len: number): void {
  // BSD sockaddrs start with a length byte; Linux's with a 16-bit family.
  if (darwin) {
    sa[0] = len;
    sa[1] = family;
  } else sa.writeUInt16LE(family, 0);
}

export function decodeSockaddr(sa: Buffer): Peer {
  const family = darwin ? sa[1] : sa.readUInt16LE(0);
  const port = sa.readUInt16BE(2);
  if (family === AF_INET) return { address: `${sa[4]}.${sa[5]}.${sa[6]}.${sa[7]}`, port };
  if (family === AF_INET6) return { address: formatIPv6(sa.subarray(8, 24)), port };
  return { address: `(family ${family})`, port: 0 };
}

// ── calls ────────────────────────────────────────────────────────────────────

/** For --calls: rc and errno of a call just made, reported; then the usual check. */
function told(call: string, args: () => string, rc: number): number {
  if (tracer) traced(call, args(), rc, rc === -1 ? errnoName(koffi.errno()) : undefined);
  return check(call, rc);
}

/** A TCP socket, non-blocking and close-on-exec (a worker must not inherit it by accident). */
export function tcpSocket(family: number): number {
  const fd = socket_(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  told('socket', () => `${family === AF_INET ? 'AF_INET' : 'AF_INET6'}, SOCK_STREAM${linux ? '|SOCK_NONBLOCK|SOCK_CLOEXEC' : ''}, 0`, fd);
  if (!linux) setNonblockCloexec(fd);
  return fd;
}

export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  const v = Buffer.alloc(4);
  v.writeInt32LE(value, 0);
  const what = level === SOL_SOCKET && name === SO_REUSEADDR ? 'SOL_SOCKET, SO_REUSEADDR' : `${level}, ${name}`;
  told('setsockopt', () => `${fd}, ${what}, [${value}], 4`, setsockopt_(fd, level, name, v, 4));
}

/** getsockopt into a caller's buffer; returns the length the kernel filled in. */
export function getsockopt(fd: number, level: number, name: number, into: Buffer): number {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(into.length, 0);
  check('getsockopt', getsockopt_(fd, level, name, into, len));
  return len.readUInt32LE(0);
}

export function bind(fd: number, address: string, port: number): void {
  const sa = encodeSockaddr(address, port);
  told('bind', () => `${fd}, ${address.includes(':') ? `[${address}]` : address}:${port}, ${sa.length}`, bind_(fd, sa, sa.length));
}

/** The backlog: how many finished handshakes the kernel keeps waiting for accept(). */
export function listen(fd: number, backlog: number): void {
  told('listen', () => `${fd}, ${backlog}`, listen_(fd, backlog));
}

function nameOf(call: 'getsockname' | 'getpeername', fd: number): Peer {
  const sa = Buffer.alloc(SOCKADDR_MAX);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(SOCKADDR_MAX, 0);
  const fn = call === 'getsockname' ? getsockname_ : getpeername_;
  check(call, fn(fd, sa, len));
  return decodeSockaddr(sa);
}

export const getsockname = (fd: number): Peer => nameOf('getsockname', fd);
export const getpeername = (fd: number): Peer => nameOf('getpeername', fd);

/**
 * accept4(SOCK_CLOEXEC | SOCK_NONBLOCK) on a non-blocking listener. null when the queue is
 * empty (EAGAIN) or the connection was aborted before we took it; throws SysError otherwise
 * (EMFILE, ENFILE, ENOBUFS…: the caller decides how to back off).
 */
export function accept(fd: number): { fd: number; peer: Peer } | null {
  const sa = Buffer.alloc(SOCKADDR_MAX);
  const len = Buffer.alloc(4);
  for (;;) {
    len.writeUInt32LE(SOCKADDR_MAX, 0);
    const rc = accept4_ ? accept4_(fd, sa, len, SOCK_CLOEXEC | SOCK_NONBLOCK) : accept_(fd, sa, len);
    if (rc >= 0) {
      if (!accept4_) setNonblockCloexec(rc);
      const peer = decodeSockaddr(sa);
      if (tracer) traceAccept(fd, peer, rc);
      return { fd: rc, peer };
    }
    const errno = koffi.errno();
    if (tracer) traceAccept(fd, null, rc, errnoName(errno));
    if (errno === E.EINTR) continue;
    if (errno === E.EAGAIN || errno === E.EWOULDBLOCK || errno === E.ECONNABORTED) return null;
    throw new SysError('accept4', errno);
  }
}

/** For --calls: accept4 as strace shows it. */
export function traceAccept(fd: number, peer: Peer | null, rc: number, errno?: string): void {
  const flags = accept4_ ? 'SOCK_CLOEXEC|SOCK_NONBLOCK' : '';
  traced(accept4_ ? 'accept4' : 'accept', `${fd}, {${peer ? `${peer.address}:${peer.port}` : '…'}}${flags ? `, ${flags}` : ''}`, rc, errno);
}

export function close(fd: number): void {
  told('close', () => String(fd), close_(fd));
}

/** close() that ignores errors: for cleanup paths where the fd may already be gone. */
export function closeQuietly(fd: number): void {
  if (fd < 0) return;
  const rc = close_(fd);
  if (tracer) traced('close', String(fd), rc, rc === -1 ? errnoName(koffi.errno()) : undefined);
}

export const SHUT_WR = 1;

/**
 * shutdown(SHUT_WR): our side is done — the client gets its FIN (even while other copies of
 * the connection are open, unlike close()) and can still send; it answers with its own close.
 * Errors (the client already gone) are ignored: there is nothing left to say to it.
 */
export function shutdownWrite(fd: number): void {
  const rc = shutdown_(fd, SHUT_WR);
  if (tracer) traced('shutdown', `${fd}, SHUT_WR`, rc, rc === -1 ? errnoName(koffi.errno()) : undefined);
}

export function fcntl(fd: number, cmd: number, arg = 0): number {
  return check('fcntl', fcntl_(fd, cmd, 'int', arg));
}

/**
 * Makes accept() on a listening socket block, for at most `timeoutMs` (then EAGAIN). Blocking
 * is a property of the open socket, shared by every process holding it.
 */
export function makeAcceptBlock(fd: number, timeoutMs: number): void {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  setRecvTimeout(fd, timeoutMs);
}

/** SO_RCVTIMEO: a blocking receive (or accept) on `fd` gives up with EAGAIN after `timeoutMs`. */
export function setRecvTimeout(fd: number, timeoutMs: number): void {
  const tv = Buffer.alloc(16); // struct timeval { long tv_sec; long tv_usec; } (LP64)
  tv.writeBigInt64LE(BigInt(Math.floor(timeoutMs / 1000)), 0);
  tv.writeBigInt64LE(BigInt((timeoutMs % 1000) * 1000), 8);
  check('setsockopt', setsockopt_(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16));
}

export function setNonblockCloexec(fd: number): void {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

/** dup with close-on-exec to the lowest fd ≥ min (moving an fd out of the way before a spawn). */
export function dupCloexec(fd: number, min: number): number {
  return fcntl(fd, F_DUPFD_CLOEXEC, min);
}

/** pipe2(O_CLOEXEC | O_NONBLOCK) → [read end, write end]. */
export function pipeCloexecNonblock(): [number, number] {
  const fds = Buffer.alloc(8);
  if (pipe2_) check('pipe2', pipe2_(fds, O_CLOEXEC | O_NONBLOCK));
  else {
    check('pipe', pipe_(fds));
    setNonblockCloexec(fds.readInt32LE(0));
    setNonblockCloexec(fds.readInt32LE(4));
  }
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

/** read(); returns bytes read, 0 at EOF, -1 when it would block. Throws on other errors. */
export function readFd(fd: number, into: Buffer): number {
  const n = Number(read_(fd, into, into.length));
  if (n >= 0) return n;
  const errno = koffi.errno();
  if (errno === E.EAGAIN || errno === E.EWOULDBLOCK || errno === E.EINTR) return -1;
  throw new SysError('read', errno);
}

/** write(); returns bytes written, -1 when it would block. Throws on other errors. */
export function writeFd(fd: number, data: Buffer): number {
  const n = Number(write_(fd, data, data.length));
  if (n >= 0) return n;
  const errno = koffi.errno();
  if (errno === E.EAGAIN || errno === E.EWOULDBLOCK || errno === E.EINTR) return -1;
  throw new SysError('write', errno);
}

/**
 * recv(MSG_DONTWAIT), optionally MSG_PEEK (look without taking); returns bytes read, 0 at EOF,
 * -1 when nothing is there yet. Throws SysError (ECONNRESET…).
 */
export function recvNow(fd: number, into: Buffer, peek = false): number {
  for (;;) {
    const n = Number(recv_(fd, into, into.length, MSG_DONTWAIT | (peek ? MSG_PEEK : 0)));
    if (tracer) traced('recv', `${fd}, ${into.length}, MSG_DONTWAIT${peek ? '|MSG_PEEK' : ''}`, n, n < 0 ? errnoName(koffi.errno()) : undefined);
    if (n >= 0) return n;
    const errno = koffi.errno();
    if (errno === E.EINTR) continue;
    if (errno === E.EAGAIN || errno === E.EWOULDBLOCK) return -1;
    throw new SysError('recv', errno);
  }
}

/** send(MSG_DONTWAIT | MSG_NOSIGNAL); returns bytes the kernel took, -1 when it took none (full). Throws SysError (EPIPE, ECONNRESET…). */
export function sendNow(fd: number, data: Uint8Array): number {
  for (;;) {
    const n = Number(send_(fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL));
    if (tracer) traced('send', `${fd}, ${data.length}, MSG_DONTWAIT|MSG_NOSIGNAL`, n, n < 0 ? errnoName(koffi.errno()) : undefined);
    if (n >= 0) return n;
    const errno = koffi.errno();
    if (errno === E.EINTR) continue;
    if (errno === E.EAGAIN || errno === E.EWOULDBLOCK) return -1;
    throw new SysError('send', errno);
  }
}
