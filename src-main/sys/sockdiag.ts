// The kernel's own list of the TCP sockets on one local port, through sock_diag netlink — what
// `ss -tan 'sport = :PORT'` asks. The process details use it to tell which of a process's socket
// descriptors is the listening socket and which are connections (a descriptor only says
// `socket:[inode]`). Never /proc/net/tcp: on a busy machine it has tens of thousands of lines,
// and this asks the kernel to filter by port before it answers. Linux only.
import { check, libc } from '../../server-core/sys/libc';

const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const IPPROTO_TCP = 6;
const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const INET_DIAG_REQ_BYTECODE = 1;
const INET_DIAG_BC_S_GE = 2;
const INET_DIAG_BC_S_LE = 3;
const ALL_STATES = 0xfff;

/** TCP states by number (include/net/tcp_states.h). */
const STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'];

const linux = process.platform === 'linux';
const socket_ = linux ? libc.func('int socket(int domain, int type, int protocol)') : null;
const send_ = linux ? libc.func('long send(int fd, const void *buf, unsigned long len, int flags)') : null;
const recv_ = linux ? libc.func('long recv(int fd, void *buf, unsigned long len, int flags)') : null;
const close_ = linux ? libc.func('int close(int fd)') : null;

export interface TcpSocket {
  inode: number;
  state: string;
  localPort: number;
  remotePort: number;
  /** LISTEN: connections waiting in the accept queue; otherwise bytes not yet read. */
  recvQ: number;
}

/**
 * A dump request for one address family: TCP sockets in any state whose local port is `port`
 * (bytecode: sport >= port, then sport <= port; a jump past the end rejects).
 */
function request(family: number, port: number, seq: number): Buffer {
  const bytecode = Buffer.alloc(16);
  bytecode.writeUInt8(INET_DIAG_BC_S_GE, 0);
  bytecode.writeUInt8(8, 1); // yes: on to the second test
  bytecode.writeUInt16LE(20, 2); // no: past the end (+4) — rejected
  bytecode.writeUInt16LE(port, 6); // the operand op's `no` holds the port
  bytecode.writeUInt8(INET_DIAG_BC_S_LE, 8);
  bytecode.writeUInt8(8, 9); // yes: to the end — accepted
  bytecode.writeUInt16LE(12, 10); // no: past the end — rejected
  bytecode.writeUInt16LE(port, 14);
  const attr = Buffer.alloc(4 + bytecode.length);
  attr.writeUInt16LE(attr.length, 0);
  attr.writeUInt16LE(INET_DIAG_REQ_BYTECODE, 2);
  bytecode.copy(attr, 4);
  const req = Buffer.alloc(56); // struct inet_diag_req_v2
  req.writeUInt8(family, 0);
  req.writeUInt8(IPPROTO_TCP, 1);
  req.writeUInt32LE(ALL_STATES, 4);
  const hdr = Buffer.alloc(16); // struct nlmsghdr
  const len = hdr.length + req.length + attr.length;
  hdr.writeUInt32LE(len, 0);
  hdr.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  hdr.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  hdr.writeUInt32LE(seq, 8);
  return Buffer.concat([hdr, req, attr]);
}

/** Every TCP socket (IPv4 and IPv6) whose local port is `port`, or null where the kernel cannot say. */
export function tcpSocketsOnPort(port: number): TcpSocket[] | null {
  if (!socket_ || !send_ || !recv_ || !close_) return null;
  let fd: number;
  try {
    fd = check('socket(AF_NETLINK)', socket_(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG) as number);
  } catch {
    return null;
  }
  const out: TcpSocket[] = [];
  const buf = Buffer.alloc(65536);
  try {
    for (const [i, family] of [AF_INET, AF_INET6].entries()) {
      const req = request(family, port, i + 1);
      if ((send_(fd, req, req.length, 0) as number) !== req.length) return null;
      for (let done = false; !done; ) {
        const n = Number(recv_(fd, buf, buf.length, 0));
        if (n <= 0) return null;
        for (let off = 0; off + 16 <= n; ) {
          const len = buf.readUInt32LE(off);
          const type = buf.readUInt16LE(off + 4);
          if (len < 16) return null;
          if (type === NLMSG_DONE) done = true;
          else if (type === NLMSG_ERROR) return null;
          else if (type === SOCK_DIAG_BY_FAMILY) {
            const m = off + 16; // struct inet_diag_msg
            out.push({
              state: STATES[buf.readUInt8(m + 1)] ?? String(buf.readUInt8(m + 1)),
              localPort: buf.readUInt16BE(m + 4),
              remotePort: buf.readUInt16BE(m + 6),
              recvQ: buf.readUInt32LE(m + 56),
              inode: buf.readUInt32LE(m + 68),
            });
          }
          off += (len + 3) & ~3;
        }
      }
    }
    return out;
  } finally {
    close_(fd);
  }
}
