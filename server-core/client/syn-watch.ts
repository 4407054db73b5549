// SYN retries, read from the kernel: TCP_INFO on the client's own socket while it connects.
// Each retry means the server's kernel dropped our SYN: its accept queue was full (the
// tutorial's Part 3, the listen backlog).
import { readTcpInfo, tcpInfoAvailable } from '../sys/tcpinfo';

const SYN_SENT = 2;

/**
 * While connecting: the SYNs sent again so far (tcpi_retransmits of the SYN_SENT socket).
 * Once connected: tcpi_total_retrans, which counts those SYNs (nothing else was sent yet).
 * null when it cannot be known (not Linux, no fd yet, socket gone).
 */
export function synRetriesOf(fd: number, phase: 'pending' | 'connected'): number | null {
  if (!tcpInfoAvailable || fd < 0) return null;
  try {
    const info = readTcpInfo(fd);
    if (phase === 'pending') return info.state === SYN_SENT ? info.retransmits : info.totalRetrans;
    return info.totalRetrans;
  } catch {
    return null;
  }
}
