// What the supervisor says to people (Summary.lastError, master-exit messages), kept together
// so a translation can follow.
export const strings = {
  badSignal: (sig: string) => `${sig} is not a signal: use a name such as SIGTERM or a number such as 15.`,
  notRunning: 'The server is not running. Start it first.',
  startTimeout: (s: number) => `The server did not say it was listening within ${s} s, so it was stopped.`,
  spawnFailed: (node: string, why: string) => `Could not start the server with ${node}: ${why}.`,
  killedBy: (signal: string, pid: number) => `The server (pid ${pid}) was killed by ${signal}.`,
  exitedWith: (code: number, pid: number) => `The server (pid ${pid}) stopped with exit code ${code}.`,
  exitedOnItsOwn: (pid: number) => `The server (pid ${pid}) exited on its own.`,
  lastWords: (line: string) => ` It said: ${line}`,
  portTaken: (port: string) => ` Port ${port} is already in use: choose another port, or stop the program that holds it.`,
  nonJson: (line: string) => `The server printed a line that is not an event: ${line}`,
  orphansLeft: (pids: number[]) => `Processes of the run were still alive after stop: ${pids.join(', ')}.`,
  notOneCommand: (op: string) => `The command is run without a shell, so '${op}' has no meaning here: give one command and its arguments (put pipes and redirections in a script).`,
  emptyCommand: 'Give the command that starts your server, e.g. python3 examples/fork-no-reap.py.',
  observingOnly: (cmd: string) => `'${cmd}' is for forkscope's own server: a watched server reaps and closes by its own code only.`,
  notStartedHere: 'forkscope did not start this server (it watches a pid), so it sends it no signals.',
  stopAsked: 'stop from the app',
  notInTree: (pid: number) => `Process ${pid} is not part of the watched server.`,
} as const;
