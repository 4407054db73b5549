// The same server in several processes, with Node's cluster module: the primary forks
// --workers N (default 2), which share the listening port.
//   node node-cluster.mjs --port 8888 --workers 2
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { hello, portArg } from './node-http.mjs';

const i = process.argv.indexOf('--workers');
const workers = i >= 0 ? Number(process.argv[i + 1]) : 2;

if (cluster.isPrimary) {
  for (let n = 0; n < workers; n++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  createServer(hello).listen(portArg(), '127.0.0.1');
}
