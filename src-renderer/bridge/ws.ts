// The Bridge over a WebSocket, for browser mode (`forkscope web`). Wire format:
// src-main/ipc/ws-protocol.ts. Reconnects with back-off; requests made while the socket is
// down wait for it; requests in flight when it drops fail with a plain message.
import type { Bridge, InvokeArg, InvokeChannel, InvokeResult } from '../../src-main/ipc/channels';
import { TOKEN_PARAM, WS_PATH, type WsRequest, type WsServerMessage } from '../../src-main/ipc/ws-protocol';
import type { Batch } from '../../src-main/supervisor/types';
import { t } from '../i18n';

/** The subset of the DOM WebSocket we use (so tests can pass a stand-in). */
export interface SocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface WsBridge extends Bridge {
  /** 'open' after (re)connecting, 'lost' when the socket drops. */
  onStatus(listener: (status: 'open' | 'lost') => void): () => void;
  /** Called after every reconnect (not the first connect). */
  onReconnect(listener: () => void): () => void;
  close(): void;
}

const OPEN = 1;

export function wsUrlFrom(loc: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(loc.search).get(TOKEN_PARAM) ?? '';
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

export function createWsBridge(url: string, factory: SocketFactory = (u) => new WebSocket(u) as unknown as SocketLike): WsBridge {
  let socket: SocketLike | null = null;
  let nextId = 1;
  let opened = false;
  let closed = false;
  let delay = 250;
  const inFlight = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const queued: string[] = [];
  const batchListeners = new Set<(b: Batch) => void>();
  const statusListeners = new Set<(s: 'open' | 'lost') => void>();
  const reconnectListeners = new Set<() => void>();

  const connect = (): void => {
    const s = factory(url);
    socket = s;
    s.onopen = () => {
      delay = 250;
      for (const msg of queued.splice(0)) s.send(msg);
      statusListeners.forEach((l) => l('open'));
      if (opened) reconnectListeners.forEach((l) => l());
      opened = true;
    };
    s.onmessage = (ev) => receive(typeof ev.data === 'string' ? ev.data : String(ev.data));
    s.onerror = () => {};
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      for (const [, p] of inFlight) p.reject(new Error(t('app.disconnected')));
      inFlight.clear();
      statusListeners.forEach((l) => l('lost'));
      if (!closed) {
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 5000);
      }
    };
  };

  const receive = (text: string): void => {
    let msg: WsServerMessage;
    try {
      msg = JSON.parse(text) as WsServerMessage;
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    if ('push' in msg) {
      if (msg.push === 'timeline:batch') batchListeners.forEach((l) => l(msg.batch));
      return;
    }
    const p = inFlight.get(msg.id);
    if (!p) return;
    inFlight.delete(msg.id);
    if ('error' in msg) p.reject(new Error(msg.error));
    else p.resolve(msg.result);
  };

  connect();

  return {
    invoke<C extends InvokeChannel>(channel: C, arg: InvokeArg<C>): Promise<InvokeResult<C>> {
      const id = nextId++;
      const req: WsRequest = { id, channel, arg };
      const text = JSON.stringify(req);
      return new Promise<InvokeResult<C>>((resolve, reject) => {
        inFlight.set(id, { resolve: resolve as (v: unknown) => void, reject });
        if (socket && socket.readyState === OPEN) socket.send(text);
        else queued.push(text);
      });
    },
    onBatch(listener) {
      batchListeners.add(listener);
      return () => batchListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}
