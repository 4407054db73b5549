// getsockopt(TCP_INFO): what the kernel knows about one TCP socket, in about 14 µs.
// On a LISTEN socket Linux reuses two fields: tcpi_unacked is the accept-queue length and
// tcpi_sacked the backlog it enforces (the backlog lesson, read from the kernel, not guessed).
// Never read /proc/net/tcp at run time instead: on a busy machine it takes most of a second.
import { IPPROTO_TCP, getsockopt } from './socket';

const TCP_INFO = 11;
/** Offsets into Linux's struct tcp_info (include/uapi/linux/tcp.h); stable since 2.6. */
const OFF = {
  state: 0,
  caState: 1,
  retransmits: 2,
  probes: 3,
  backoff: 4,
  rto: 8,
  unacked: 24,
  sacked: 28,
  lost: 32,
  retrans: 36,
  lastDataSent: 44,
  lastDataRecv: 52,
  rtt: 68,
  rttvar: 72,
  totalRetrans: 100,
} as const;
const SIZE = 104;

export const TCP_STATES = [
  '',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
] as const;

export interface TcpInfo {
  /** Kernel TCP state number and its name ('ESTABLISHED', 'LISTEN', …). */
  state: number;
  stateName: string;
  caState: number;
  /** Retransmissions of the current unacknowledged segment (a SYN being retried, for a connecting socket). */
  retransmits: number;
  probes: number;
  backoff: number;
  /** Retransmission timeout, µs. */
  rtoUs: number;
  /** Established: segments sent but not acknowledged. LISTEN: the accept-queue length. */
  unacked: number;
  /** Established: SACKed segments. LISTEN: the backlog. */
  sacked: number;
  lost: number;
  retrans: number;
  /** ms since data was last sent / received on this socket. */
  lastDataSentMs: number;
  lastDataRecvMs: number;
  rttUs: number;
  rttvarUs: number;
  totalRetrans: number;
}

export const tcpInfoAvailable = process.platform === 'linux';

// One buffer reused: calls are synchronous on the main thread.
const buf = Buffer.alloc(SIZE);

/** TCP_INFO for any TCP socket fd (listening, accepted, or a client's). Throws SysError. */
export function readTcpInfo(fd: number): TcpInfo {
  if (!tcpInfoAvailable) throw new Error('TCP_INFO is only read on Linux');
  buf.fill(0);
  getsockopt(fd, IPPROTO_TCP, TCP_INFO, buf);
  const state = buf[OFF.state];
  return {
    state,
    stateName: TCP_STATES[state] ?? `STATE_${state}`,
    caState: buf[OFF.caState],
    retransmits: buf[OFF.retransmits],
    probes: buf[OFF.probes],
    backoff: buf[OFF.backoff],
    rtoUs: buf.readUInt32LE(OFF.rto),
    unacked: buf.readUInt32LE(OFF.unacked),
    sacked: buf.readUInt32LE(OFF.sacked),
    lost: buf.readUInt32LE(OFF.lost),
    retrans: buf.readUInt32LE(OFF.retrans),
    lastDataSentMs: buf.readUInt32LE(OFF.lastDataSent),
    lastDataRecvMs: buf.readUInt32LE(OFF.lastDataRecv),
    rttUs: buf.readUInt32LE(OFF.rtt),
    rttvarUs: buf.readUInt32LE(OFF.rttvar),
    totalRetrans: buf.readUInt32LE(OFF.totalRetrans),
  };
}

/** Accept-queue length and backlog of a LISTEN socket: only the two fields the probe needs. */
export function acceptQueue(listenFd: number): { length: number; backlog: number } {
  if (!tcpInfoAvailable) throw new Error('the accept-queue length needs Linux (TCP_INFO)');
  getsockopt(listenFd, IPPROTO_TCP, TCP_INFO, buf);
  return { length: buf.readUInt32LE(OFF.unacked), backlog: buf.readUInt32LE(OFF.sacked) };
}
