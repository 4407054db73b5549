// The seam between the process models (who accepts, who serves) and HTTP + the gateway
// (how one connection is served): every model hands an accepted connection to
// connection.ts serveConnection() (WSGI and fetch apps) or node-http.ts (Node-style apps).
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  /** WSGI and fetch apps: the gateway itself, which connection.ts runs without Node's http objects. */
  gateway?: GatewayHandler;
}

export interface HttpLimits {
  /**
   * The request head must arrive within this of the connection's start (or of a kept
   * connection's next request's first byte), else 408; a kept connection idle this long is
   * closed; a client that makes no room for the answer this long is cut.
   */
  readTimeoutMs: number;
  /** The whole request, body included, must arrive within this of its start, else 408. */
  bodyTimeoutMs: number;
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
  /** Keep the connection open for further requests (off by default, as in the tutorial). */
  keepAlive: boolean;
  emit: Emit;
  /** clock.ts now() when the connection was accepted: its deadlines count from there. */
  acceptedAt?: number;
  /** What the process serving it needs to know (a worker tells its master; the request budget). */
  hooks?: ConnectionHooks;
  /** --parent-keeps-conn: close() only, never shutdown() — the tutorial child's close (docs/processes.md). */
  closeOnly?: boolean;
}

/** Told by the connection as it goes; none of it is narration (that is `emit`). */
export interface ConnectionHooks {
  /** A request was read whole and goes to the app. */
  requestStarted?(conn: number): void;
  /** Its answer is out (or broken off). */
  requestDone?(conn: number): void;
  /** The app failed (a 500, or a cut answer). */
  appFailed?(conn: number): void;
  /** Asked as each answer's head is built: may the connection stay open after it? */
  mayKeepOpen?(conn: number): boolean;
}

export const defaultLimits: HttpLimits = {
  readTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  maxBodyBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  transcriptCap: 64 * 1024,
};
