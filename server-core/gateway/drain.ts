// Backpressure for gateways that stream a body: wait until the response can take more.
import type { ServerResponse } from 'node:http';

/** Resolves when the response can take more data, or when the connection is gone. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
