// The browser-mode Bridge over a WebSocket (wire format in src-main/ipc/ws-protocol.ts),
// against a stand-in socket.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WsRequest } from '../../src-main/ipc/ws-protocol';
import { createWsBridge, wsUrlFrom, type SocketLike } from '../../src-renderer/bridge/ws';

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: WsRequest[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as WsRequest);
  }
  close() {
    this.readyState = 3;
    this.onclose?.({});
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

afterEach(() => {
  FakeSocket.all = [];
  vi.useRealTimers();
});

describe('WebSocket bridge', () => {
  it('builds the socket address from the page address and its token', () => {
    expect(wsUrlFrom({ protocol: 'http:', host: '127.0.0.1:5000', search: '?token=a%2Bb&port=0' })).toBe('ws://127.0.0.1:5000/ws?token=a%2Bb');
  });

  it('sends requests once open, matches replies by id, and pushes batches', async () => {
    const bridge = createWsBridge('ws://x/ws?token=t', (u) => new FakeSocket(u));
    const sock = FakeSocket.all[0];
    const snap = bridge.invoke('timeline:snapshot', null);
    const stop = expect(bridge.invoke('server:stop', null)).rejects.toThrow('not running');
    expect(sock.sent).toEqual([]);
    sock.open();
    expect(sock.sent.map((m) => m.channel)).toEqual(['timeline:snapshot', 'server:stop']);
    const batches: unknown[] = [];
    bridge.onBatch((b) => batches.push(b));
    sock.receive({ id: sock.sent[1].id, error: 'not running' });
    sock.receive({ id: sock.sent[0].id, result: { nextSeq: 7 } });
    sock.receive({ push: 'timeline:batch', batch: { seq: 7, events: [] } });
    sock.receive('not json at all');
    await expect(snap).resolves.toEqual({ nextSeq: 7 });
    await stop;
    expect(batches).toEqual([{ seq: 7, events: [] }]);
  });

  it('fails requests in flight when the socket drops, then reconnects and says so', async () => {
    vi.useFakeTimers();
    const bridge = createWsBridge('ws://x/ws?token=t', (u) => new FakeSocket(u));
    const statuses: string[] = [];
    let reconnects = 0;
    bridge.onStatus((s) => statuses.push(s));
    bridge.onReconnect(() => reconnects++);
    FakeSocket.all[0].open();
    const p = bridge.invoke('server:stop', null);
    FakeSocket.all[0].close();
    await expect(p).rejects.toThrow(/lost/);
    vi.advanceTimersByTime(300);
    expect(FakeSocket.all.length).toBe(2);
    FakeSocket.all[1].open();
    expect(statuses).toEqual(['open', 'lost', 'open']);
    expect(reconnects).toBe(1);
    bridge.close();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all.length).toBe(2);
  });
});
