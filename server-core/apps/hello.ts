// The tutorial's app (part 2, wsgiapp.py), byte for byte as the peers serve it: the one
// addition is a Content-Length, so every server frames the reply the same way.
import type { BuiltinApp } from './types';

export const HELLO_TEXT = 'Hello world from a simple WSGI application!\n';
const BODY = Buffer.from(HELLO_TEXT);
const HEADERS: [string, string][] = [
  ['Content-Type', 'text/plain'],
  ['Content-Length', String(BODY.length)],
];

export const hello: BuiltinApp = {
  summary: "the tutorial's app: 'Hello world from a simple WSGI application!'",
  wsgi: (_environ, startResponse) => {
    startResponse('200 OK', HEADERS);
    return [BODY];
  },
  fetch: () => new Response(BODY, { status: 200, headers: HEADERS }),
  node: (_req, res) => {
    res.writeHead(200, HEADERS.flat());
    res.end(BODY);
  },
};
