// The Node-style gateway: (req, res) handlers, as http.createServer takes them — Express,
// Koa's callback(), Fastify's routing function run unchanged. Nothing to translate: the
// server adds its Server header, and a throw (or a rejected promise) becomes a 500.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeHandler } from '../http/types';
import { SERVER_SOFTWARE } from '../http/server-software';

export type NodeStyleApp = (req: IncomingMessage, res: ServerResponse) => unknown;

export function nodeHandler(app: NodeStyleApp): NodeHandler {
  return async (req, res) => {
    res.setHeader('Server', SERVER_SOFTWARE);
    await app(req, res);
  };
}
