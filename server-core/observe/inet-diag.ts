// The kernel's table of TCP sockets, asked through NETLINK_SOCK_DIAG (what `ss` uses): the
// listening socket's accept queue and backlog, and every connection to a port with its state
// and inode — for any process, with no privilege. One query takes tens of µs for listeners and
// about a millisecond for connections (the kernel walks its whole established-socket table).
// Linux only; the layouts are x86-64/arm64 Linux's (include/uapi/linux/inet_diag.h).
import { check, E, koffi, libc, SysError } from '../sys/libc';
import { formatIPv6, setRecvTimeout } from '../sys/socket';
import { TCP_STATES } from '../sys/tcpinfo';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_REQUEST = 1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const IPPROTO_TCP = 6;
const INET_DIAG_REQ_BYTECODE = 1;
const INET_DIAG_BC_S_EQ = 11;

export const AF_INET = 2;
export const AF_INET6 = 10;

/** Kernel TCP state numbers (include/net/tcp_states.h). */
export const TCP = {
  ESTABLISHED: 1,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
  NEW_SYN_RECV: 12,
} as const;

/** Every TCP state (LISTEN included). */
export const ALL_STATES = 0xfff;

/** Every state a connection to a server port can be in, from the handshake to TIME_WAIT. */
export const CONNECTION_STATES = [
  TCP.ESTABLISHED,
  TCP.SYN_RECV,
  TCP.FIN_WAIT1,
  TCP.FIN_WAIT2,
  TCP.TIME_WAIT,
  TCP.CLOSE,
  TCP.CLOSE_WAIT,
  TCP.LAST_ACK,
  TCP.CLOSING,
  TCP.NEW_SYN_RECV,
].reduce((mask, s) => mask | (1 << s), 0);

export interface DiagSocket {
  family: number;
  /** The state's name as `ss` prints it (NEW_SYN_RECV, a half-open request, shows as SYN_RECV). */
  state: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** LISTEN: connections waiting for accept(). Others: bytes received and not yet read. */
  rqueue: number;
  /** LISTEN: the backlog the kernel enforces. Others: bytes sent and not yet acknowledged. */
  wqueue: number;
  uid: number;
  /** The socket's inode (`socket:[inode]` in /proc/PID/fd); 0 when no process has it yet (still in the accept queue) or it has none (TIME_WAIT). */
  inode: number;
}

const socket_ = libc.func('int socket(int domain, int type, int protocol)');
const sendto_ = libc.func('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, uint32_t alen)');
const recv_ = libc.func('long recv(int fd, _Out_ void *buf, unsigned long len, int flags)');
const close_ = libc.func('int close(int fd)');

const REQ_LEN = 16 + 56;
const FILTER_LEN = 12;
const MSG_LEN = 72;

function address(buf: Buffer, at: number, family: number): string {
  if (family === AF_INET) return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
  return formatIPv6(buf.subarray(at, at + 16));
}

/** One netlink socket for the life of the watch (opening one per query would cost more than the query). */
export class InetDiag {
  private fd: number;
  private readonly req = Buffer.alloc(REQ_LEN + FILTER_LEN);
  private readonly reply = Buffer.alloc(64 * 1024);
  private readonly kernel = Buffer.alloc(12);
  private seq = 0;

  constructor() {
    if (process.platform !== 'linux') throw new Error('inet_diag is Linux only');
    this.fd = check('socket(AF_NETLINK)', socket_(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG) as number);
    // A reply always comes at once; the timeout only guards against a kernel that never answers.
    setRecvTimeout(this.fd, 1000);
    this.kernel.writeUInt16LE(AF_NETLINK, 0); // sockaddr_nl: pid 0 = the kernel
  }

  /** LISTEN sockets of one family, all ports (or one). */
  listeners(family: number, port?: number): DiagSocket[] {
    return this.dump(family, 1 << TCP.LISTEN, port);
  }

  /** Every socket of one family whose local port is `port`, in the given states (a bitmask of 1 << state). */
  connections(family: number, port: number, states = CONNECTION_STATES): DiagSocket[] {
    return this.dump(family, states, port);
  }

  close(): void {
    if (this.fd >= 0) close_(this.fd);
    this.fd = -1;
  }

  private dump(family: number, states: number, port?: number): DiagSocket[] {
    const req = this.req;
    req.fill(0);
    const len = REQ_LEN + (port !== undefined ? FILTER_LEN : 0);
    // nlmsghdr
    req.writeUInt32LE(len, 0);
    req.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
    req.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
    req.writeUInt32LE(++this.seq, 8);
    // inet_diag_req_v2
    req[16] = family;
    req[17] = IPPROTO_TCP;
    req.writeUInt32LE(states >>> 0, 20);
    req.writeUInt32LE(0xffffffff, 64); // no cookie
    req.writeUInt32LE(0xffffffff, 68);
    if (port !== undefined) {
      // Bytecode run by the kernel for each socket: "local port == port", else skip it.
      req.writeUInt16LE(FILTER_LEN, 72); // rtattr len
      req.writeUInt16LE(INET_DIAG_REQ_BYTECODE, 74);
      req[76] = INET_DIAG_BC_S_EQ;
      req[77] = 8; // yes: past both ops (accept)
      req.writeUInt16LE(12, 78); // no: past the end (reject)
      req.writeUInt16LE(port, 82); // the second op's `no` carries the port, host order
    }
    const sent = Number(sendto_(this.fd, req, len, 0, this.kernel, 12));
    if (sent < 0) throw new SysError('sendto(inet_diag)', koffi.errno());

    const out: DiagSocket[] = [];
    for (;;) {
      const n = Number(recv_(this.fd, this.reply, this.reply.length, 0));
      if (n < 0) {
        const errno = koffi.errno();
        if (errno === E.EINTR) continue;
        throw new SysError('recv(inet_diag)', errno);
      }
      if (n === 0) return out;
      let at = 0;
      while (at + 16 <= n) {
        const mlen = this.reply.readUInt32LE(at);
        const type = this.reply.readUInt16LE(at + 4);
        if (mlen < 16 || at + mlen > n) return out;
        if (type === NLMSG_DONE) return out;
        if (type === NLMSG_ERROR) {
          const err = -this.reply.readInt32LE(at + 16);
          if (err === 0) return out;
          throw new SysError('inet_diag', err);
        }
        if (type === SOCK_DIAG_BY_FAMILY && mlen >= 16 + MSG_LEN) out.push(this.parse(at + 16));
        at += (mlen + 3) & ~3;
      }
    }
  }

  private parse(at: number): DiagSocket {
    const b = this.reply;
    const family = b[at];
    const state = b[at + 1];
    return {
      family,
      state: state === TCP.NEW_SYN_RECV ? 'SYN_RECV' : (TCP_STATES[state] ?? `STATE_${state}`),
      localPort: b.readUInt16BE(at + 4),
      remotePort: b.readUInt16BE(at + 6),
      localAddress: address(b, at + 8, family),
      remoteAddress: address(b, at + 24, family),
      rqueue: b.readUInt32LE(at + 56),
      wqueue: b.readUInt32LE(at + 60),
      uid: b.readUInt32LE(at + 64),
      inode: b.readUInt32LE(at + 68),
    };
  }
}

/** One TCP socket on a port, as the process details show it (src-main/observer/fds.ts). */
export interface TcpSocket {
  inode: number;
  state: string;
  localPort: number;
  remotePort: number;
  /** LISTEN: connections waiting in the accept queue; otherwise bytes not yet read. */
  recvQ: number;
}

/**
 * Every TCP socket (IPv4 and IPv6, any state) whose local port is `port` — what `ss -tan
 * 'sport = :PORT'` asks — or null where the kernel cannot say. Opens a netlink socket for the
 * one question: for a look now and then, not for every pass of a watch.
 */
export function tcpSocketsOnPort(port: number): TcpSocket[] | null {
  let diag: InetDiag;
  try {
    diag = new InetDiag();
  } catch {
    return null;
  }
  try {
    return [AF_INET, AF_INET6]
      .flatMap((family) => diag.connections(family, port, ALL_STATES))
      .map((s) => ({ inode: s.inode, state: s.state, localPort: s.localPort, remotePort: s.remotePort, recvQ: s.rqueue }));
  } catch {
    return null;
  } finally {
    diag.close();
  }
}
