// What the supervisor says to people (Summary.lastError, master-exit messages), kept together
// so a translation can follow.
export const strings = {
  badSignal: (sig: string) => `${sig} is not a signal: use a name such as SIGTERM or a number such as 15.`,
  notRunning: 'The server is not running. Start it first.',
  notOurs: (pid: number) => `Refused: pid ${pid} is not a process of this server run.`,
  notTheSupervisor: (pid: number) => `Refused: pid ${pid} is the supervisor, this app itself; Stop ends the run.`,
  gone: (pid: number) => `Process ${pid} is gone.`,
  noWorkers: 'Refused: the iterative model has no worker processes, so there is nothing to reap, signal or release.',
  noKeptFds: 'Refused: the master keeps no connection descriptors; that happens only with "parent keeps the connection" (--parent-keeps-conn).',
  masterSignalled: (signal: string, pid: number) =>
    `${signal} sent to the master (pid ${pid}) only, not to its workers: if it dies, its workers become orphans, adopted by the supervisor (a child subreaper).`,
  startTimeout: (s: number) => `The server did not say it was listening within ${s} s, so it was stopped.`,
  spawnFailed: (node: string, why: string) => `Could not start the server with ${node}: ${why}.`,
  killedBy: (signal: string, pid: number) => `The server (pid ${pid}) was killed by ${signal}.`,
  exitedWith: (code: number, pid: number) => `The server (pid ${pid}) stopped with exit code ${code}.`,
  exitedOnItsOwn: (pid: number) => `The server (pid ${pid}) exited on its own.`,
  lastWords: (line: string) => ` It said: ${line}`,
  portTaken: (port: string) => ` Port ${port} is already in use: choose another port, or stop the program that holds it.`,
  nonJson: (line: string) => `The server printed a line that is not an event: ${line}`,
  orphansLeft: (pids: number[]) => `Processes of the run were still alive after stop: ${pids.join(', ')}.`,
  // The one line printed when Ctrl+C (or closing the app) stops everything (stop-line.ts).
  stoppedServer: (host: string, port: number, pid: number, model: string) => `stopped the server on ${host}:${port} (master ${pid}, ${model} model)`,
  stoppedDeadServer: (pid: number) => `stopped what was left of the server (master ${pid})`,
  stoppedLeftovers: (parts: string[]) => `stopped ${parts.join(', ')} left by a server that had already died`,
  stoppedNothing: 'stopped; no server was running',
  stoppedChildren: (parts: string[]) => ` and its ${parts.join(', ')}`,
  count: (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`,
  nothingLeft: ' — nothing of it is left running',
  stillAlive: (pids: number[]) => ` — still alive: ${pids.join(', ')} (kill -9 them)`,
} as const;
