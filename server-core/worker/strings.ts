// Every sentence a worker process says (in its events, or on stderr), kept together so a
// translation can follow.
const msg = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const W = {
  noConfig: 'forkscope worker: started without its configuration; workers are started by `forkscope serve`.',
  /** The body of the 500 a fork-model worker sends when it cannot load the app. */
  cannotLoad: 'The server could not load its application.',
  appLoad: (err: unknown): string => `worker could not load the app: ${msg(err)}`,
  escaped: (pid: number, err: unknown): string => `worker ${pid}: ${msg(err)}`,
  acceptFailed: (pid: number, err: unknown): string => `worker ${pid}: accept failed: ${msg(err)}`,
  cannotAccept: (err: unknown): string => `worker cannot accept on the inherited socket: ${msg(err)}`,
  orphaned: (pid: number): string => `worker ${pid}: its master is gone before it started; exiting`,
} as const;
