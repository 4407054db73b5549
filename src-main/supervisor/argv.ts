// RunConfig → `forkscope serve` arguments: one flag per field, defaults left to serve.
import type { RunConfig } from './types';

export function serveArgs(c: RunConfig): string[] {
  const args = ['serve', c.app, '--model', c.model, '--interface', c.interface, '--host', c.host, '--port', String(c.port), '--backlog', String(c.backlog)];
  if (c.model !== 'iterative') args.push('--reap', c.reap);
  if (c.model === 'prefork') args.push('--workers', String(c.workers), '--max-requests', String(c.maxRequests));
  if (c.model === 'prefork' && c.workerConnections !== undefined) args.push('--worker-connections', String(c.workerConnections));
  if (c.parentKeepsConn) args.push('--parent-keeps-conn');
  if (c.childKeepsListener) args.push('--child-keeps-listener');
  if (c.nofile !== undefined) args.push('--nofile', String(c.nofile));
  if (c.keepAlive) args.push('--keep-alive');
  if (c.maxZombies !== undefined) args.push('--max-zombies', String(c.maxZombies));
  if (c.workerTimeoutS !== undefined) args.push('--worker-timeout', String(c.workerTimeoutS));
  if (c.readTimeoutS !== undefined) args.push('--read-timeout', String(c.readTimeoutS));
  if (c.bodyTimeoutS !== undefined) args.push('--body-timeout', String(c.bodyTimeoutS));
  args.push('--json');
  return args;
}

/** The settings a learner starts from: the tutorial's port and backlog, fork per connection, reaping on. */
export function defaultRunConfig(): RunConfig {
  return {
    model: 'fork',
    reap: 'loop',
    app: 'hello',
    interface: 'wsgi',
    host: '127.0.0.1',
    port: 8888,
    backlog: 5,
    workers: 2,
    maxRequests: 0,
    parentKeepsConn: false,
    childKeepsListener: false,
    keepAlive: false,
  };
}
