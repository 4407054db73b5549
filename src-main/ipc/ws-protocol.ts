// The browser-mode wire format: the same Bridge (channels.ts) carried over one WebSocket.
// Server side: src-main/web/*. Client side: src-renderer/bridge/ws.ts.
//
// - The page is served at http://127.0.0.1:PORT/?token=TOKEN. The renderer connects to
//   ws://SAME-HOST/ws?token=TOKEN (WS_PATH, TOKEN_PARAM); a wrong or missing token is refused.
// - Every message is one JSON text frame.
// - Renderer → server: WsRequest {id, channel, arg}. `id` is unique per socket.
// - Server → renderer: WsReply {id, result} or {id, error} for each request, and
//   WsPush {push: 'timeline:batch', batch} for every supervisor batch. The server subscribes
//   each socket when it opens and pushes from then on; the renderer asks 'timeline:snapshot'
//   and drops pushed events whose position (batch.seq + i) is below snapshot.nextSeq.
// - Added later: right after a socket opens the server sends one WsClock
//   {push: 'clock', origin, wallMs} — where the supervisor's clock (every event's `t`, ms)
//   starts: `origin` in CLOCK_MONOTONIC ns (as server-core/clock.ts getOrigin), `wallMs` as
//   Date.now() at t = 0. It lets a client put an event's `t` on its own clock (the latency
//   benchmark, bench/latency.mjs, does). Clients ignore pushes they do not know.
import type { Batch } from '../supervisor/types';
import type { InvokeChannel } from './channels';

export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';

export interface WsRequest {
  id: number;
  channel: InvokeChannel;
  arg: unknown;
}

export type WsReply = { id: number; result: unknown } | { id: number; error: string };

export interface WsPush {
  push: 'timeline:batch';
  batch: Batch;
}

/** Where the supervisor's clock starts (sent once, when the socket opens). */
export interface WsClock {
  push: 'clock';
  /** CLOCK_MONOTONIC of t = 0, in ns, as a decimal string (too large for a double). */
  origin: string;
  /** Date.now() at t = 0 (wall time: for clients on the same machine without a monotonic clock). */
  wallMs: number;
}

export type WsServerMessage = WsReply | WsPush | WsClock;
