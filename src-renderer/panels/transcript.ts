// A connection as curl -v would print it: `*` what happened, `>` what the client sent,
// `<` what came back, then the body. Prefers the client's own bytes; falls back to what the
// server recorded (for connections from other clients, e.g. a terminal's curl).
import type { Conversation } from '../store/conversations';
import { splitMessage } from '../store/bytes';
import { connLabel } from '../../server-core/conn-id';
import { t } from '../i18n';
import { fmtMs, httpVersion, statusText } from '../strings';

function connectedLine(host: string, port: number, local: number | undefined, ms: number | undefined): string {
  return (
    t('transcripts.connected', { host, port }) +
    (local ? t('transcripts.connectedFrom', { local }) : '') +
    (ms != null ? t('transcripts.handshake', { time: fmtMs(ms) }) : '')
  );
}

export interface Line {
  kind: '*' | '>' | '<' | 'body' | '!';
  text: string;
}

export function requestText(c: Conversation): string {
  return c.sent.text || c.serverIn.text;
}

export function responseText(c: Conversation): string {
  return c.received.text || c.serverOut.text;
}

/** The request line, from the bytes when we have them. */
export function requestLine(c: Conversation): string | null {
  const raw = requestText(c);
  if (raw) {
    const first = raw.split(/\r?\n/, 1)[0];
    if (first) return first;
  }
  if (c.request) return `${c.request.method} ${c.request.path} ${httpVersion(c.request.version)}`;
  return null;
}

/** The status line, from the bytes when we have them. */
export function statusLine(c: Conversation): string | null {
  const raw = responseText(c);
  if (raw) {
    const first = raw.split(/\r?\n/, 1)[0];
    if (first && /^HTTP\//.test(first)) return first;
  }
  const status = c.response?.status ?? c.clientStatus;
  if (status != null) return `HTTP/1.1 ${status} ${statusText[status] ?? ''}`.trimEnd();
  return null;
}

export function statusOf(c: Conversation): number | undefined {
  return c.response?.status ?? c.clientStatus;
}

/** Total time as the client saw it, else as the server saw it. */
export function durationMs(c: Conversation): number | undefined {
  if (c.doneMs != null) return c.doneMs;
  if (c.tResponse != null && c.tAccept != null) return c.tResponse - c.t0;
  return undefined;
}

export function transcriptLines(c: Conversation): Line[] {
  const out: Line[] = [];
  const info = (text: string): void => void out.push({ kind: '*', text });
  if (c.clientId != null && c.port != null)
    info(c.tConnected != null ? connectedLine(c.host ?? '127.0.0.1', c.port, c.localPort, c.connectMs) : t('transcripts.connecting', { host: c.host ?? '127.0.0.1', port: c.port }));
  if (c.synRetries) info(t('transcripts.synRetries', { count: c.synRetries }));
  if (c.connectNote) info(c.connectNote);
  if (c.tAccept != null && c.tConnected != null) info(t('transcripts.queued', { time: fmtMs(Math.max(0, c.tAccept - c.tConnected)) }));
  if (c.conn != null && c.acceptedBy != null) info(t('transcripts.accepted', { conn: connLabel(c.conn), pid: c.acceptedBy }));
  if (c.spawnMs != null && c.worker != null) info(t('transcripts.forked', { pid: c.worker, time: fmtMs(c.spawnMs) }));
  if (c.startMs != null) info(t('transcripts.ready', { time: fmtMs(c.startMs) }));

  const req = requestText(c);
  if (req) {
    const { head, body } = splitMessage(req);
    for (const l of head) out.push({ kind: '>', text: l });
    if (body != null) {
      out.push({ kind: '>', text: '' });
      if (body) out.push({ kind: 'body', text: body });
    }
  } else if (c.request) {
    out.push({ kind: '>', text: `${c.request.method} ${c.request.path} ${httpVersion(c.request.version)}` });
    for (const [k, v] of c.request.headers) out.push({ kind: '>', text: `${k}: ${v}` });
    out.push({ kind: '>', text: '' });
  }
  if ((c.sent.truncated && c.sent.text) || (!c.sent.text && c.serverIn.truncated)) out.push({ kind: '*', text: t('transcripts.truncated') });

  if (c.firstByteMs != null) info(t('transcripts.firstByte', { time: fmtMs(c.firstByteMs) }));

  const res = responseText(c);
  if (res) {
    const { head, body } = splitMessage(res);
    for (const l of head) out.push({ kind: '<', text: l });
    if (body != null) {
      out.push({ kind: '<', text: '' });
      if (body) out.push({ kind: 'body', text: body });
    }
  } else if (c.response) {
    out.push({ kind: '<', text: `HTTP/1.1 ${c.response.status} ${statusText[c.response.status] ?? ''}`.trimEnd() });
    for (const [k, v] of c.response.headers) out.push({ kind: '<', text: `${k}: ${v}` });
  }
  if ((c.received.truncated && c.received.text) || (!c.received.text && c.serverOut.truncated)) out.push({ kind: '*', text: t('transcripts.truncated') });

  for (const e of c.errors) out.push({ kind: '!', text: `${e.code ? `${e.code}: ` : ''}${e.message}` });
  if (c.clientStatus != null && c.doneMs != null) info(t('transcripts.done', { status: c.clientStatus, bytes: c.response?.bytes ?? c.received.bytes, time: fmtMs(c.doneMs) }));
  if (c.eofMs != null) info(t('transcripts.eof', { time: fmtMs(c.eofMs) }));
  else if (c.clientId != null && c.doneMs != null && c.tClose == null) info(t('transcripts.noEof'));
  else if (c.clientId == null && c.tClose != null) info(t('transcripts.closed'));
  return out;
}
