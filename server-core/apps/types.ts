// A built-in app, written once per interface so `forkscope serve NAME --interface X` works
// for every X and the three gateways can be compared on the same app.
import type { FetchHandler } from '../gateway/fetch';
import type { NodeStyleApp } from '../gateway/node';
import type { WsgiApp } from '../gateway/wsgi';

export interface BuiltinApp {
  /** One line for `forkscope serve --help`. */
  summary: string;
  wsgi: WsgiApp;
  fetch: FetchHandler;
  node: NodeStyleApp;
}
