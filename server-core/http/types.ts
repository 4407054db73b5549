// The seam between the process models (who accepts, who serves) and HTTP + the gateway
// (how one connection is served). Every model serves a connection with serveConnection().
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Emit } from '../emit';
import type { Interface } from '../events';
import type { GatewayHandler } from '../gateway/exchange';

/**
 * Every app style is adapted to this by server-core/gateway/*. The promise settles when the
 * app has returned (not necessarily when the response is finished); a rejection means the
 * app failed: the client gets a 500 (or a cut connection) and an `error` event is emitted.
 */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, scope?: RequestScope) => void | Promise<void>;

/** Given to the adapted handler with each request, so a gateway can narrate (wsgi.errors). */
export interface RequestScope {
  conn: number;
  emit: Emit;
}

/** What the gateway tells the app about the server (WSGI's SERVER_NAME, wsgi.multiprocess, …). */
export interface GatewayInfo {
  serverName: string;
  serverPort: number;
  /** true exactly when the model serves from several processes (fork, prefork). */
  multiprocess: boolean;
  /** true when a process serves one connection and exits (fork model). */
  runOnce: boolean;
}

export interface LoadedApp {
  /** As given: a built-in name ('hello') or 'path/to/module[:callable]'. */
  spec: string;
  interface: Interface;
  handler: NodeHandler;
  /** WSGI and fetch apps: the gateway itself, which the direct path (direct.ts) runs without Node's http objects. */
  gateway?: GatewayHandler;
}

export interface HttpLimits {
  /** A client that sends nothing (or stalls) for this long gets 408 / a close. */
  readTimeoutMs: number;
  /** Larger bodies get 413. */
  maxBodyBytes: number;
  /** Request line + headers over this get 431. */
  maxHeaderBytes: number;
  /** Transcript bytes recorded per direction per connection. */
  transcriptCap: number;
}

export interface ConnectionContext {
  conn: number;
  app: LoadedApp;
  limits: HttpLimits;
  /** Keep the connection open for further requests (off by default, as in the seed). */
  keepAlive: boolean;
  emit: Emit;
  /** performance.now() when the connection was accepted, if its read timeout started then (direct.ts waited for its first bytes). */
  acceptedAt?: number;
}

/**
 * Serves one accepted connection: request / response / transcript / error events, then
 * `close`. Resolves once the socket is closed. Never throws: failures become events.
 */
export type ServeConnection = (socket: Socket, ctx: ConnectionContext) => Promise<void>;

export const defaultLimits: HttpLimits = {
  readTimeoutMs: 10_000,
  maxBodyBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  transcriptCap: 64 * 1024,
};
