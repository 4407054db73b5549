// Where every model hands over a connection it accepted: WSGI and fetch apps are served by
// connection.ts through an I/O port on the descriptor; Node-style apps by Node's http server
// (node-http.ts, loaded only then: a fork-model worker serving a WSGI app never loads it).
import type { Peer } from '../events';
import type { FdCalls } from '../sys/fd-calls';
import type { Refusal } from './bad-input';
import { refuseConnection, serveConnection, type Serving } from './connection';
import { Port, type PortWaits } from './port';
import type { ConnectionContext } from './types';

/** How this process reaches a connection's descriptor (sys/fd-calls.ts) and waits on it (sys/poller.ts). */
export interface FdAccess {
  calls: FdCalls;
  waits: () => PortWaits | Promise<PortWaits>;
}

export function serveAccepted(fd: number, peer: Peer, ctx: ConnectionContext, access: FdAccess): Serving {
  if (ctx.app.gateway) return serveConnection(new Port(fd, access.calls, access.waits), peer, ctx);
  return serveThroughNodeHttp(fd, ctx);
}

/** Answers an accepted connection with `refusal` (a 503: nobody can serve it) and closes it, whatever the app's style. */
export function refuseAccepted(fd: number, peer: Peer, ctx: ConnectionContext, access: FdAccess, refusal: Refusal): Serving {
  return refuseConnection(new Port(fd, access.calls, access.waits), peer, ctx, refusal);
}

function serveThroughNodeHttp(fd: number, ctx: ConnectionContext): Serving {
  let socket: import('node:net').Socket | null = null;
  let cut = false;
  const done = (async () => {
    const [{ Socket }, { serveNodeConnection }] = await Promise.all([import('node:net'), import('./node-http')]);
    socket = new Socket({ fd, readable: true, writable: true });
    if (ctx.closeOnly) closeWithoutShutdown(socket);
    if (cut) socket.destroy();
    await serveNodeConnection(socket, ctx);
  })();
  return {
    done,
    end: () => socket?.end(),
    cut: () => {
      cut = true;
      socket?.destroy();
    },
  };
}

/**
 * Node ends a socket with shutdown(SHUT_WR), which sends the FIN whatever other copies of the
 * connection exist. With --parent-keeps-conn the worker must only close() its copy, as the
 * tutorial's child does: the FIN waits for the last copy, the master's.
 */
function closeWithoutShutdown(socket: import('node:net').Socket): void {
  (socket as unknown as { _final: (cb: (err?: Error | null) => void) => void })._final = (cb) => {
    cb();
    setImmediate(() => socket.destroy());
  };
}
