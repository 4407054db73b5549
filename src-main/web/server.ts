// The browser bridge's server on 127.0.0.1: the built renderer over HTTP and the Bridge over a
// WebSocket, both behind guard.ts (token, loopback Host, own Origin).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { OpenedFile } from '../ipc/channels';
import type { SupervisorApi } from '../supervisor/types';
import { createDispatch, supervisorHandlers } from '../ipc/dispatch';
import { TOKEN_PARAM, WS_PATH } from '../ipc/ws-protocol';
import { contentSecurityPolicy } from './csp';
import { checkRequest, cookieName, type Verdict } from './guard';
import { attachSocket } from './socket';
import { contentType, resolveStatic } from './static';
import { strings } from './strings';

/** Large enough for a raw request of a few MB (base64) from the client panel. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export interface WebServerOptions {
  supervisor: SupervisorApi;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  token: string;
  /** 0 = any free port. */
  port: number;
  /** The recording named with --open, for the page that asks (`recording:opened`). */
  opened?: () => Promise<OpenedFile | null>;
}

export interface WebServer {
  port: number;
  /** The address to open: http://127.0.0.1:PORT/?token=… */
  url: string;
  /** Closes every socket and the listener (the supervisor is the caller's to shut down). */
  close(): Promise<void>;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const dispatch = createDispatch(supervisorHandlers(opts.supervisor, opts.opened));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('connection', (ws) => attachSocket(ws, opts.supervisor, dispatch));

  let port = opts.port;
  const server: Server = createServer((req, res) => {
    void serveHttp(req, res, opts, port).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkRequest(req, port, opts.token);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status);
    if (verdict.url.pathname !== WS_PATH) return refuseUpgrade(socket, 404);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  // A browser that keeps idle connections open must not hold up a shutdown.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : opts.port;

  return {
    port,
    url: `http://127.0.0.1:${port}/?${TOKEN_PARAM}=${opts.token}`,
    close: () => closeAll(server, wss),
  };
}

async function serveHttp(req: IncomingMessage, res: ServerResponse, opts: WebServerOptions, port: number): Promise<void> {
  const verdict: Verdict = checkRequest(req, port, opts.token);
  if (!verdict.ok) return plain(res, verdict.status, verdict.why === 'host' ? strings.forbiddenHost : verdict.why === 'origin' ? strings.forbiddenOrigin : strings.needToken);
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, strings.methodNotAllowed, { allow: 'GET, HEAD' });
  const file = resolveStatic(opts.rendererDir, verdict.url.pathname);
  if (!file) return plain(res, 404, strings.notFound);
  const body = await readFile(file);
  const headers: Record<string, string> = {
    'content-type': contentType(file),
    'content-length': String(body.length),
    'content-security-policy': contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] }),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
  // The page's own assets are fetched without the token in their URLs: the cookie carries it.
  if (verdict.viaQuery) headers['set-cookie'] = `${cookieName(port)}=${opts.token}; Path=/; HttpOnly; SameSite=Strict`;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra });
  res.end(text);
}

function refuseUpgrade(socket: Duplex, status: number): void {
  const reason = status === 404 ? 'Not Found' : 'Forbidden';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

async function closeAll(server: Server, wss: WebSocketServer): Promise<void> {
  for (const ws of wss.clients) ws.close(1001, 'forkscope is shutting down');
  // Give pages a moment to receive the close frame, then cut whatever is left.
  await new Promise((r) => setTimeout(r, 100));
  for (const ws of wss.clients) ws.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
