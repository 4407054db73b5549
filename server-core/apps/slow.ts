// Sleeps ?ms=N (default 1000) — on a timer, so the process is idle, not blocked — then says
// hello. With the iterative model the next clients wait in the accept queue meanwhile (the backlog lesson).
import { hello } from './hello';
import { intParam, queryOf, sleep } from './query';
import type { BuiltinApp } from './types';

const DEFAULT_MS = 1000;
const MAX_MS = 600_000;

const msOf = (query: string): number => intParam(query, 'ms', DEFAULT_MS, 0, MAX_MS);

export const slow: BuiltinApp = {
  summary: 'sleeps ?ms=N (default 1000) without blocking, then says hello',
  wsgi: async (environ, startResponse) => {
    await sleep(msOf(environ.QUERY_STRING));
    return hello.wsgi(environ, startResponse);
  },
  fetch: async (request) => {
    await sleep(msOf(new URL(request.url).search.slice(1)));
    return hello.fetch(request);
  },
  node: async (req, res) => {
    await sleep(msOf(queryOf(req.url ?? '')));
    if (!res.destroyed) await hello.node(req, res);
  },
};
