// Always throws: what a server does when its app fails (500 and an `error` event; the server
// keeps serving the next connection).
import type { BuiltinApp } from './types';

function crash(): never {
  throw new Error('crash: this built-in app always throws, to show what the server does when an app fails');
}

export const crashApp: BuiltinApp = {
  summary: 'always throws (the client gets a 500; the server keeps going)',
  wsgi: () => crash(),
  fetch: () => crash(),
  node: () => crash(),
};
