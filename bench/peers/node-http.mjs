// Node's own http server, one process: every path gets the hello app's bytes.
//   node node-http.mjs --port 8888
import { createServer } from 'node:http';

const HELLO = 'Hello world from a simple WSGI application!\n';

export function hello(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(HELLO) });
  res.end(HELLO);
}

export function portArg(argv = process.argv) {
  const i = argv.indexOf('--port');
  return i >= 0 ? Number(argv[i + 1]) : 8888;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  createServer(hello).listen(portArg(), '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}
