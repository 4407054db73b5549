// One record per TCP connection, joining what the client saw (client-* events) with what the
// server saw (accept … close) by port: the client's localPort is the server's accept peer.port.
// Feeds the transcripts and the accept queue (connections that finished the handshake but
// were not accepted yet wait in the kernel's queue — the tutorial's listen backlog).
import type { ForkscopeEvent, HeaderList } from '../../server-core/events';
import { appendChunk, emptyLog, OLD_LOG_CAP, trimLog, type ByteLog } from './bytes';

export type ConvState = 'connecting' | 'queued' | 'accepted' | 'responded' | 'closed' | 'failed';

export interface Conversation {
  /** Renderer-local id, unique for the whole session. */
  id: number;
  /** The server's connection id (unique within one run). */
  conn?: number;
  /** The client engine's id (unique within one fire). */
  clientId?: number;
  /** The client's port: equal to the server's accept peer.port. */
  localPort?: number;
  peerAddress?: string;
  host?: string;
  port?: number;
  /** Process that accepted and the one that served (a fork worker, a prefork worker, or the master). */
  acceptedBy?: number;
  worker?: number;
  state: ConvState;
  /** Run-clock times of each step. */
  t0: number;
  tConnected?: number;
  tAccept?: number;
  tFork?: number;
  tRequest?: number;
  tResponse?: number;
  tClose?: number;
  connectMs?: number;
  synRetries?: number;
  /** The client's plain words for a slow connect (SYNs retried). */
  connectNote?: string;
  spawnMs?: number;
  /** From spawn to the worker's first event: process start plus app load. */
  startMs?: number;
  firstByteMs?: number;
  doneMs?: number;
  eofMs?: number;
  clientStatus?: number;
  request?: { method: string; path: string; version: string; headers: HeaderList };
  response?: { status: number; headers: HeaderList; bytes: number };
  /** Client view (what it sent / received) and server view (transcript in / out). */
  sent: ByteLog;
  received: ByteLog;
  serverIn: ByteLog;
  serverOut: ByteLog;
  errors: { code?: string; message: string }[];
  /** Bumped on every change, so a memoized row knows to re-render. */
  touched: number;
}

export interface QueueItem {
  id: number;
  localPort?: number;
  clientId?: number;
  /** Run-clock time the handshake finished (queued) or the SYN was sent (connecting). */
  since: number;
  synRetries?: number;
}

/** An accept and a handshake on the same port this close in time are the same connection. */
const MATCH_WINDOW_MS = 5000;
/** The newest this many connections keep their full transcripts; older ones a few KiB. */
const FULL_TRANSCRIPTS = 200;

export class Conversations {
  /** Insertion order is age order: the oldest is evicted first. */
  private readonly byId = new Map<number, Conversation>();
  private readonly byConn = new Map<number, Conversation>();
  private readonly byClient = new Map<number, Conversation>();
  /** Fork model: the worker started for a connection, until it says it is ready. */
  private readonly byWorker = new Map<number, Conversation>();
  /** Connections seen by one side only, waiting to be matched by port. */
  private readonly serverByPort = new Map<number, Conversation>();
  private readonly clientByPort = new Map<number, Conversation>();
  /** Client connections not yet accepted: connecting, or queued in the kernel. */
  private readonly pending = new Set<Conversation>();
  private nextId = 1;
  /** Ids in creation order, for trimming the transcripts of older connections. */
  private readonly recent: number[] = [];
  version = 0;
  queueVersion = 0;

  constructor(private readonly cap = 1500) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: number): Conversation | undefined {
    return this.byId.get(id);
  }

  /**
   * In the order the server accepted them — by its connection number (#1, #2, …), which is what
   * each row is labelled with — then those not accepted yet (labelled with the client's own
   * number), in the order the client opened them.
   */
  list(): Conversation[] {
    return Array.from(this.byId.values()).sort((a, b) => (a.conn ?? Infinity) - (b.conn ?? Infinity) || a.id - b.id);
  }

  /** The connection the server accepted last (the highest connection number), if any. */
  lastAccepted(): Conversation | undefined {
    let last: Conversation | undefined;
    for (const c of this.byId.values()) if (c.conn != null && (last?.conn == null || c.conn > last.conn)) last = c;
    return last;
  }

  byServerConn(conn: number): Conversation | undefined {
    return this.byConn.get(conn);
  }

  /** The master of the run these connections belong to (it serves them itself when iterative). */
  master: number | null = null;

  /**
   * A new run (`master-start`): the server numbers its connections from #1 again, and the old
   * run's clients can no longer be accepted, so the list starts empty. Ids stay unique for the
   * session (timeline entries of older runs keep pointing at nothing, not at a new record).
   */
  newRun(master: number): void {
    this.clear();
    this.master = master;
  }

  clear(): void {
    this.master = null;
    this.byId.clear();
    this.byConn.clear();
    this.byClient.clear();
    this.byWorker.clear();
    this.serverByPort.clear();
    this.clientByPort.clear();
    this.pending.clear();
    this.recent.length = 0;
    this.version++;
    this.queueVersion++;
  }

  /** Applies one event; returns the conversation it belongs to, if any. */
  apply(e: ForkscopeEvent): Conversation | undefined {
    switch (e.type) {
      case 'accept':
        return this.onAccept(e.conn, e.peer.address, e.peer.port, e.pid, e.t);
      case 'fork': {
        if (e.conn == null) return undefined;
        return this.touch(this.byConn.get(e.conn), (c) => {
          c.worker = e.child;
          c.spawnMs = e.spawnMs;
          c.tFork = e.t;
          this.byWorker.set(e.child, c);
          if (this.byWorker.size > this.cap) this.byWorker.delete(this.byWorker.keys().next().value as number);
        });
      }
      case 'worker-ready': {
        const c = this.byWorker.get(e.pid);
        this.byWorker.delete(e.pid);
        return this.touch(c, (x) => {
          x.startMs = e.startMs;
        });
      }
      case 'request':
        return this.touch(this.serverConv(e.conn, e.t), (c) => {
          c.request = { method: e.method, path: e.path, version: e.version, headers: e.headers };
          c.tRequest = e.t;
          c.worker = e.pid;
        });
      case 'response':
        return this.touch(this.serverConv(e.conn, e.t), (c) => {
          c.response = { status: e.status, headers: e.headers, bytes: e.bytes };
          c.tResponse = e.t;
          if (c.state !== 'failed') c.state = 'responded';
        });
      case 'transcript':
        return this.touch(this.serverConv(e.conn, e.t), (c) => {
          appendChunk(e.dir === 'in' ? c.serverIn : c.serverOut, e.data, e.encoding, e.truncated);
        });
      case 'close':
        return this.touch(this.byConn.get(e.conn), (c) => {
          c.tClose = e.t;
          if (c.state !== 'failed') c.state = 'closed';
        });
      case 'error':
        if (e.conn == null) return undefined;
        return this.touch(this.byConn.get(e.conn), (c) => {
          c.errors.push({ code: e.code, message: e.message });
        });
      case 'client-connect':
        return this.onClientConnect(e.id, e.host, e.port, e.localPort, e.t);
      case 'client-connected':
        return this.touch(this.onClientConnected(e.id, e.localPort, e.ms, e.synRetries, e.t), (c) => {
          if (e.explanation) c.connectNote = e.explanation;
        });
      case 'client-sent':
        return this.touch(this.byClient.get(e.id), (c) => {
          if (e.data != null) appendChunk(c.sent, e.data, e.encoding);
        });
      case 'client-received':
        return this.touch(this.byClient.get(e.id), (c) => appendChunk(c.received, e.data, e.encoding, e.truncated));
      case 'client-first-byte':
        return this.touch(this.byClient.get(e.id), (c) => {
          c.firstByteMs = e.ms;
        });
      case 'client-done':
        return this.touch(this.byClient.get(e.id), (c) => {
          c.clientStatus = e.status;
          c.doneMs = e.ms;
          if (c.state === 'connecting' || c.state === 'queued' || c.state === 'accepted') c.state = 'responded';
          this.settle(c);
        });
      case 'client-eof':
        return this.touch(this.byClient.get(e.id), (c) => {
          c.eofMs = e.ms;
          this.settle(c);
        });
      case 'client-error':
        return this.touch(this.byClient.get(e.id), (c) => {
          c.errors.push({ code: e.code, message: e.explanation });
          if (c.state !== 'responded' && c.state !== 'closed') c.state = 'failed';
          this.settle(c);
        });
      default:
        return undefined;
    }
  }

  /** Connections the client knows are waiting for accept(), and those still connecting. */
  queueView(): { waiting: QueueItem[]; connecting: QueueItem[] } {
    const waiting: QueueItem[] = [];
    const connecting: QueueItem[] = [];
    for (const c of this.pending) {
      const item: QueueItem = { id: c.id, localPort: c.localPort, clientId: c.clientId, since: c.tConnected ?? c.t0, synRetries: c.synRetries };
      (c.state === 'queued' ? waiting : connecting).push(item);
    }
    waiting.sort((a, b) => a.since - b.since);
    connecting.sort((a, b) => a.since - b.since);
    return { waiting, connecting };
  }

  // ── handlers ────────────────────────────────────────────────────────────────
  private onAccept(conn: number, address: string, port: number, pid: number, t: number): Conversation {
    let c = this.clientByPort.get(port);
    if (c) {
      this.clientByPort.delete(port);
    } else {
      c = this.create(t);
      this.serverByPort.set(port, c);
    }
    c.conn = conn;
    c.peerAddress = address;
    c.localPort = port;
    c.acceptedBy = pid;
    c.worker ??= pid;
    c.tAccept = t;
    if (c.state === 'connecting' || c.state === 'queued') c.state = 'accepted';
    this.byConn.set(conn, c);
    this.settle(c);
    return this.touch(c, () => {})!;
  }

  private onClientConnect(id: number, host: string, port: number, localPort: number | undefined, t: number): Conversation {
    // Client ids restart with every fire: a connect always opens a new record.
    const c = this.create(t);
    c.clientId = id;
    c.host = host;
    c.port = port;
    c.localPort = localPort;
    this.byClient.set(id, c);
    this.pending.add(c);
    this.queueVersion++;
    return c;
  }

  private onClientConnected(id: number, localPort: number, ms: number, synRetries: number | undefined, t: number): Conversation | undefined {
    let c = this.byClient.get(id);
    if (!c) return undefined;
    c.localPort = localPort;
    c.connectMs = ms;
    c.synRetries = synRetries;
    c.tConnected = t;
    const server = this.serverByPort.get(localPort);
    if (server && server !== c && server.clientId == null && Math.abs((server.tAccept ?? server.t0) - t) < MATCH_WINDOW_MS) {
      // The server accepted before we heard the handshake finish: merge into its record.
      this.serverByPort.delete(localPort);
      c = this.mergeClientInto(c, server);
    } else {
      if (c.state === 'connecting') c.state = 'queued';
      this.clientByPort.set(localPort, c);
    }
    this.queueVersion++;
    return this.touch(c, () => {});
  }

  private mergeClientInto(client: Conversation, server: Conversation): Conversation {
    server.clientId = client.clientId;
    server.host = client.host;
    server.port = client.port;
    server.localPort = client.localPort;
    server.connectMs = client.connectMs;
    server.synRetries = client.synRetries;
    server.connectNote = client.connectNote;
    server.tConnected = client.tConnected;
    server.t0 = Math.min(server.t0, client.t0);
    server.sent = client.sent.bytes ? client.sent : server.sent;
    server.errors.unshift(...client.errors);
    this.byId.delete(client.id);
    this.pending.delete(client);
    if (client.clientId != null) this.byClient.set(client.clientId, server);
    return server;
  }

  private serverConv(conn: number, t: number): Conversation {
    let c = this.byConn.get(conn);
    if (!c) {
      // An event for a connection whose accept we did not see (history cut): start a record.
      c = this.create(t);
      c.conn = conn;
      c.state = 'accepted';
      this.byConn.set(conn, c);
    }
    return c;
  }

  private settle(c: Conversation): void {
    if (this.pending.delete(c)) this.queueVersion++;
    // A failed connect will never be accepted; its port may be reused by a later connection.
    if (c.state === 'failed' && c.localPort != null && this.clientByPort.get(c.localPort) === c) this.clientByPort.delete(c.localPort);
  }

  private create(t: number): Conversation {
    const c: Conversation = {
      id: this.nextId++,
      state: 'connecting',
      t0: t,
      sent: emptyLog(),
      received: emptyLog(),
      serverIn: emptyLog(),
      serverOut: emptyLog(),
      errors: [],
      touched: 0,
    };
    this.byId.set(c.id, c);
    this.recent.push(c.id);
    if (this.recent.length > FULL_TRANSCRIPTS) this.trim(this.recent.shift() as number);
    this.evict();
    return c;
  }

  private trim(id: number): void {
    const c = this.byId.get(id);
    if (!c) return;
    for (const log of [c.sent, c.received, c.serverIn, c.serverOut]) trimLog(log, OLD_LOG_CAP);
  }

  private evict(): void {
    while (this.byId.size > this.cap) {
      const oldest = this.byId.values().next().value as Conversation;
      this.byId.delete(oldest.id);
      if (oldest.conn != null && this.byConn.get(oldest.conn) === oldest) this.byConn.delete(oldest.conn);
      if (oldest.clientId != null && this.byClient.get(oldest.clientId) === oldest) this.byClient.delete(oldest.clientId);
      if (oldest.localPort != null) {
        if (this.serverByPort.get(oldest.localPort) === oldest) this.serverByPort.delete(oldest.localPort);
        if (this.clientByPort.get(oldest.localPort) === oldest) this.clientByPort.delete(oldest.localPort);
      }
      if (this.pending.delete(oldest)) this.queueVersion++;
    }
  }

  private touch(c: Conversation | undefined, change: (c: Conversation) => void): Conversation | undefined {
    if (!c) return undefined;
    change(c);
    c.touched = ++this.version;
    return c;
  }
}
