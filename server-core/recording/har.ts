// A recording's HTTP exchanges as HAR 1.2 (HTTP Archive), for Chrome DevTools and HAR viewers.
// One entry per request the server parsed, with its response. Headers are the ones the events
// carry (as on the wire); bodies are cut from the recorded transcripts (as far as the recording's
// cap kept them). Timings come from the events (docs/recordings.md):
//   blocked  time in the kernel's accept queue: the client's finished handshake → the server's
//            accept (needs the client's events in the same recording, as the app records; else -1)
//   connect  the client's TCP handshake (client events; else -1)
//   send     the first byte of the request read → the whole request read
//   wait     → the first byte of the response written (plus, for a connection's first request,
//            accept → its first byte read: the fork model's worker starting)
//   receive  → the whole response written
// A recording of the client alone (`fire --record`) gives the client's view instead.
// Browser-safe: the app exports HAR with the same code.
import type { Entry, Har, Header as HarHeader, Timings } from 'har-format';
import { connLabel } from '../conn-id';
import type { ForkscopeEvent, HeaderList, RequestEvent, ResponseEvent } from '../events';
import { version } from '../../package.json';
import { type RecordingHeader, wallMs } from './format';
import { ByteStream, chunkBytes, headerValue, isInterim, type Message, splitMessages } from './http-messages';

interface ServerConn {
  key: string;
  conn: number;
  acceptT: number | null;
  peerPort: number | null;
  host: string;
  port: number;
  in: ByteStream;
  out: ByteStream;
  requests: RequestEvent[];
  responses: ResponseEvent[];
}

interface ClientConn {
  host: string;
  port: number;
  connectT: number;
  connectedT: number | null;
  connectMs: number | null;
  localPort: number | null;
  sent: ByteStream;
  received: ByteStream;
  doneT: number | null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const nonNeg = (ms: number): number => round(Math.max(0, ms));

export function buildHar(header: RecordingHeader, events: readonly ForkscopeEvent[]): Har {
  const { servers, clients } = collect(events);
  const entries = servers.length ? servers.flatMap((c) => serverEntries(header, c, clients)) : clients.flatMap((c) => clientEntries(header, c));
  entries.sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
  return {
    log: {
      version: '1.2',
      creator: { name: 'forkscope', version, comment: `from a recording made by forkscope ${header.forkscope} (${header.recorder})` },
      entries,
    },
  };
}

/** The events that make HTTP exchanges, gathered per connection. */
function collect(events: readonly ForkscopeEvent[]): { servers: ServerConn[]; clients: ClientConn[] } {
  const servers = new Map<string, ServerConn>();
  const clients: ClientConn[] = [];
  const clientById = new Map<number, ClientConn>();
  let run = 0;
  let host = '127.0.0.1';
  let port = 0;
  const server = (conn: number): ServerConn => {
    const key = `${run}:${conn}`;
    let c = servers.get(key);
    if (!c) {
      c = { key, conn, acceptT: null, peerPort: null, host, port, in: new ByteStream(), out: new ByteStream(), requests: [], responses: [] };
      servers.set(key, c);
    }
    return c;
  };
  for (const e of events) {
    switch (e.type) {
      case 'listening':
        run++; // a restarted server numbers its connections from 1 again
        host = e.host;
        port = e.port;
        break;
      case 'accept': {
        const c = server(e.conn);
        c.acceptT = e.t;
        c.peerPort = e.peer.port;
        break;
      }
      case 'transcript':
        (e.dir === 'in' ? server(e.conn).in : server(e.conn).out).addTranscript(e);
        break;
      case 'request':
        server(e.conn).requests.push(e);
        break;
      case 'response':
        server(e.conn).responses.push(e);
        break;
      case 'client-connect': {
        const c: ClientConn = {
          host: e.host,
          port: e.port,
          connectT: e.t,
          connectedT: null,
          connectMs: null,
          localPort: e.localPort ?? null,
          sent: new ByteStream(),
          received: new ByteStream(),
          doneT: null,
        };
        clientById.set(e.id, c); // ids start again with each client run: the newest holds
        clients.push(c);
        break;
      }
      case 'client-connected': {
        const c = clientById.get(e.id);
        if (c) Object.assign(c, { connectedT: e.t, connectMs: e.ms, localPort: e.localPort });
        break;
      }
      case 'client-sent':
        if (e.data !== undefined) clientById.get(e.id)?.sent.add(e.t, chunkBytes(e.data, e.encoding));
        break;
      case 'client-received':
        clientById.get(e.id)?.received.add(e.t, chunkBytes(e.data, e.encoding), e.truncated);
        break;
      case 'client-done': {
        const c = clientById.get(e.id);
        if (c) c.doneT = e.t;
        break;
      }
      default:
        break;
    }
  }
  return { servers: [...servers.values()].filter((c) => c.requests.length), clients };
}

/**
 * The client connection that became this accepted one: the same port, and the newest whose
 * connect began before the accept (ports are reused, but not by two open connections). Its
 * `client-connected` may be stamped after the accept: the client's process learns of the
 * handshake when its event loop gets to it.
 */
function clientOf(c: ServerConn, clients: ClientConn[]): ClientConn | null {
  if (c.peerPort === null || c.acceptT === null) return null;
  let best: ClientConn | null = null;
  for (const k of clients) {
    if (k.localPort !== c.peerPort || k.connectT > c.acceptT) continue;
    if (!best || k.connectT > best.connectT) best = k;
  }
  return best;
}

function serverEntries(h: RecordingHeader, c: ServerConn, clients: ClientConn[]): Entry[] {
  const ins = splitMessages(c.in.bytes(), 'request');
  const outs = splitMessages(
    c.out.bytes(),
    'response',
    c.requests.map((r) => r.method),
  ).filter((m) => !isInterim(m));
  const client = clientOf(c, clients);
  return c.requests.map((req, k) => {
    const res = c.responses[k] ?? null;
    const inMsg = ins[k] ?? null;
    const outMsg = res ? (outs[k] ?? null) : null;
    const firstIn = (inMsg && c.in.timeAt(inMsg.start)) ?? req.t;
    const reqDone = Math.max(req.t, (inMsg && c.in.timeAt(inMsg.end - 1)) ?? req.t);
    const firstOut = Math.max(reqDone, (outMsg && c.out.timeAt(outMsg.start)) ?? res?.t ?? reqDone);
    const resDone = Math.max(firstOut, res?.t ?? firstOut);
    const first = k === 0;
    const startup = first && c.acceptT !== null ? Math.max(0, firstIn - c.acceptT) : 0;
    const handshakeEnd = client?.connectedT ?? null;
    const timings: Timings = {
      blocked: first && client && handshakeEnd !== null && c.acceptT !== null ? nonNeg(c.acceptT - handshakeEnd) : -1,
      dns: -1,
      connect: first && client?.connectMs != null ? round(client.connectMs) : -1,
      ssl: -1,
      send: nonNeg(reqDone - firstIn),
      wait: nonNeg(firstOut - reqDone + startup),
      receive: nonNeg(resDone - firstOut),
    };
    if (startup > 0) timings.comment = `wait includes ${round(startup)} ms from accept to the first byte read (the worker starting)`;
    const startT = first ? (client && timings.connect !== -1 ? client.connectT : (c.acceptT ?? firstIn)) : firstIn;
    const url = urlOf(req.path, headerValue(req.headers, 'host'), c.host, c.port);
    return {
      startedDateTime: new Date(wallMs(h, startT)).toISOString(),
      time: total(timings),
      request: {
        method: req.method,
        url: url.href,
        httpVersion: req.version,
        cookies: [],
        headers: harHeaders(req.headers),
        queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
        ...(inMsg && inMsg.body.length ? { postData: { mimeType: headerValue(req.headers, 'content-type') ?? '', text: lossyUtf8.decode(inMsg.body) } } : {}),
        headersSize: inMsg ? inMsg.headEnd - inMsg.start : -1,
        bodySize: inMsg ? inMsg.end - inMsg.headEnd : -1,
        ...(c.in.truncated ? { comment: 'the recording kept only the first bytes of this connection (--transcript-cap)' } : {}),
      },
      response: res ? harResponse(res.status, res.headers, outMsg, c.out.truncated) : noResponse(),
      cache: {},
      timings,
      ...(isIp(c.host) ? { serverIPAddress: c.host } : {}),
      connection: connLabel(c.conn),
      _forkscope: { conn: connLabel(c.conn), pid: req.pid },
    } as Entry;
  });
}

function clientEntries(h: RecordingHeader, c: ClientConn): Entry[] {
  const ins = splitMessages(c.sent.bytes(), 'request');
  const outs = splitMessages(
    c.received.bytes(),
    'response',
    ins.map((m) => m.startLine.split(' ')[0] ?? 'GET'),
  ).filter((m) => !isInterim(m));
  return ins.map((m, k) => {
    const [method = '', target = '/', httpVersion = 'HTTP/1.1'] = m.startLine.split(' ');
    const out = outs[k] ?? null;
    const firstSent = c.sent.timeAt(m.start) ?? c.connectT;
    const sentDone = c.sent.timeAt(Math.max(m.start, m.end - 1)) ?? firstSent;
    const firstRecv = (out && c.received.timeAt(out.start)) ?? sentDone;
    const recvDone = Math.max(firstRecv, (out && c.received.timeAt(Math.max(out.start, out.end - 1))) ?? c.doneT ?? firstRecv);
    const first = k === 0;
    const timings: Timings = {
      blocked: -1,
      dns: -1,
      connect: first && c.connectMs !== null ? round(c.connectMs) : -1,
      ssl: -1,
      send: nonNeg(sentDone - firstSent),
      wait: nonNeg(firstRecv - sentDone),
      receive: nonNeg(recvDone - firstRecv),
    };
    const url = urlOf(target, headerValue(m.headers, 'host'), c.host, c.port);
    const status = out ? Number(/^\S+\s+(\d{3})/.exec(out.startLine)?.[1] ?? 0) : 0;
    return {
      startedDateTime: new Date(wallMs(h, first ? c.connectT : firstSent)).toISOString(),
      time: total(timings),
      request: {
        method,
        url: url.href,
        httpVersion,
        cookies: [],
        headers: harHeaders(m.headers),
        queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
        ...(m.body.length ? { postData: { mimeType: headerValue(m.headers, 'content-type') ?? '', text: lossyUtf8.decode(m.body) } } : {}),
        headersSize: m.headEnd - m.start,
        bodySize: m.end - m.headEnd,
      },
      response: out ? harResponse(status, out.headers, out, c.received.truncated) : noResponse(),
      cache: {},
      timings,
      ...(isIp(c.host) ? { serverIPAddress: c.host } : {}),
    } as Entry;
  });
}

function harResponse(status: number, headers: HeaderList, msg: Message | null, truncated: boolean): Entry['response'] {
  const [httpVersion = 'HTTP/1.1', , ...reason] = msg?.startLine.split(' ') ?? [];
  const body = msg?.body ?? new Uint8Array(0);
  const mimeType = headerValue(headers, 'content-type') ?? 'x-unknown';
  let content: Entry['response']['content'];
  try {
    content = { size: body.length, mimeType, text: strictUtf8.decode(body) };
  } catch {
    content = { size: body.length, mimeType, text: toBase64(body), encoding: 'base64' };
  }
  if (truncated || (msg && !msg.complete)) content.comment = 'the body is cut short: the recording kept only the first bytes (--transcript-cap), or the connection ended first';
  return {
    status,
    statusText: reason.join(' '),
    httpVersion,
    cookies: [],
    headers: harHeaders(headers),
    content,
    redirectURL: headerValue(headers, 'location') ?? '',
    headersSize: msg ? msg.headEnd - msg.start : -1,
    bodySize: msg ? msg.end - msg.headEnd : -1,
  };
}

/** A request that got no response (the connection was cut, the server died): status 0, as browsers export it. */
function noResponse(): Entry['response'] {
  return { status: 0, statusText: '', httpVersion: '', cookies: [], headers: [], content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: -1, comment: 'no response was recorded' };
}

function harHeaders(h: HeaderList): HarHeader[] {
  return h.map(([name, value]) => ({ name, value }));
}

/** The request's URL: its target against the Host it asked for (the listener's address when that is no host). */
function urlOf(target: string, hostHeader: string | undefined, host: string, port: number): URL {
  const listener = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const authority = hostHeader && /^[A-Za-z0-9.\-_~%]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(hostHeader) ? hostHeader : listener;
  try {
    return /^https?:\/\//i.test(target) ? new URL(target) : new URL(target.startsWith('/') ? target : `/${target}`, `http://${authority}`);
  } catch {
    return new URL(`http://${listener}/`);
  }
}

function total(t: Timings): number {
  return round([t.blocked, t.dns, t.connect, t.send, t.wait, t.receive].reduce<number>((sum, v) => sum + (v !== undefined && v > 0 ? v : 0), 0));
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function toBase64(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin);
}
