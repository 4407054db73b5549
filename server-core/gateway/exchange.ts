// The seam between a gateway (WSGI, fetch) and the HTTP layer that read the request: the
// connection state machine on the connection's descriptor (http/connection.ts, in every model),
// or Node's http server through the adapter below (the reference the tests compare it with).
// A gateway sees only this.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeHandler, RequestScope } from '../http/types';
import { readBody } from './body';
import { drained } from './drain';

/** One request as a gateway sees it. */
export interface GatewayRequest {
  readonly method: string;
  /** The request target as sent ('/path?query'). */
  readonly url: string;
  /** '1.1', '1.0'. */
  readonly httpVersion: string;
  /** Names and values alternating, as received. */
  readonly rawHeaders: readonly string[];
  readonly host: string | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  /** The whole body; rejects with RequestAborted when the client leaves before it is complete. */
  body(): Promise<Buffer>;
}

/** How a gateway answers. The HTTP layer adds what HTTP itself needs (framing, Connection). */
export interface GatewayResponse {
  readonly headersSent: boolean;
  /** The connection is gone: what is written now reaches nobody. */
  readonly gone: boolean;
  /** `headers`: names and values alternating. */
  writeHead(status: number, reason: string | undefined, headers: string[]): void;
  /** false: more is buffered than the connection takes now; wait for drained() before more. */
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array): void;
  /** Resolves when the response can take more, or when the connection is gone. */
  drained(): Promise<void>;
  /** `listener` runs once if the connection goes before the response is finished. */
  onGone(listener: () => void): void;
}

/** A gateway's side of the seam. The promise settles when the app is done; a rejection is the app's failure. */
export type GatewayHandler = (req: GatewayRequest, res: GatewayResponse, scope?: RequestScope) => Promise<void>;

/** Runs a gateway on Node's http server (node-http.ts). */
export function onNodeHttp(gateway: GatewayHandler): NodeHandler {
  return (req, res, scope) => gateway(new NodeRequest(req), new NodeResponse(res), scope);
}

class NodeRequest implements GatewayRequest {
  constructor(private readonly req: IncomingMessage) {}
  get method(): string {
    return this.req.method ?? 'GET';
  }
  get url(): string {
    return this.req.url ?? '/';
  }
  get httpVersion(): string {
    return this.req.httpVersion;
  }
  get rawHeaders(): readonly string[] {
    return this.req.rawHeaders;
  }
  get host(): string | undefined {
    return this.req.headers.host;
  }
  get remoteAddress(): string {
    return this.req.socket?.remoteAddress ?? '';
  }
  get remotePort(): number | undefined {
    return this.req.socket?.remotePort;
  }
  body(): Promise<Buffer> {
    return readBody(this.req);
  }
}

class NodeResponse implements GatewayResponse {
  constructor(private readonly res: ServerResponse) {}
  get headersSent(): boolean {
    return this.res.headersSent;
  }
  get gone(): boolean {
    return this.res.destroyed;
  }
  writeHead(status: number, reason: string | undefined, headers: string[]): void {
    this.res.writeHead(status, reason, headers);
  }
  write(chunk: Uint8Array): boolean {
    return this.res.write(chunk);
  }
  end(chunk?: Uint8Array): void {
    if (chunk) this.res.end(chunk);
    else this.res.end();
  }
  drained(): Promise<void> {
    return drained(this.res);
  }
  onGone(listener: () => void): void {
    this.res.on('close', () => {
      if (!this.res.writableFinished) listener();
    });
  }
}
