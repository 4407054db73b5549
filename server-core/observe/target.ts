// The server being watched: a command forkscope starts (in its own session and process group,
// so it can be stopped whole; its stdout and stderr read line by line), or a process already
// running that forkscope only looks at and never signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { allPids, readStat, readStatus } from './procfs';
import { O } from './strings';

/** A problem the user can fix, said in one line; `exitCode` 2 for usage errors, 1 otherwise. */
export class ObserveError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

export interface TargetExit {
  code: number | null;
  signal: string | null;
}

export type OutputLine = (stream: 'stdout' | 'stderr', line: string) => void;

const TAIL_LINES = 20;
const LINE_CAP = 4000;

export interface Target {
  readonly pid: number;
  /** True when forkscope started it (and may therefore stop it). */
  readonly started: boolean;
  /** The last lines it wrote on stderr (command mode). */
  stderrTail(): string[];
  /** Resolves when it has exited, with its status when known (command mode). */
  readonly exited: Promise<TargetExit>;
  running(): boolean;
}

/** Starts COMMAND ARGS… in its own process group; rejects with ObserveError when it cannot start. */
export async function startCommand(argv: string[], cwd: string | undefined, env: NodeJS.ProcessEnv | undefined, onLine: OutputLine): Promise<Target> {
  const [command, ...args] = argv;
  const proc: ChildProcess = spawn(command, args, {
    cwd,
    // Python buffers stdout written to a pipe; unbuffered, the server's prints arrive as they happen.
    env: { PYTHONUNBUFFERED: '1', ...(env ?? process.env) },
    detached: true, // its own session and process group: one kill(-pgid) reaches every process it forks
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let alive = true;
  const exited = new Promise<TargetExit>((resolve) => {
    proc.on('exit', (code, signal) => {
      alive = false;
      // Let the last lines of output arrive first (children may still hold the pipes: do not wait for them).
      setTimeout(() => resolve({ code, signal }), 50);
    });
  });
  await new Promise<void>((resolve, reject) => {
    proc.once('spawn', resolve);
    proc.once('error', (err: NodeJS.ErrnoException) => {
      alive = false;
      reject(new ObserveError(O.cannotRun(command, err.code ?? err.message, cwd), 2));
    });
  });
  for (const stream of ['stdout', 'stderr'] as const) {
    let rest = '';
    const source = proc[stream]!;
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      if (rest.length > LINE_CAP) {
        lines.push(rest);
        rest = '';
      }
      for (const raw of lines) emitLine(stream, raw);
    });
    source.on('end', () => {
      if (rest) emitLine(stream, rest);
      rest = '';
    });
  }
  function emitLine(stream: 'stdout' | 'stderr', raw: string): void {
    const line = raw.replace(/\r$/, '').slice(0, LINE_CAP);
    if (stream === 'stderr') {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    }
    onLine(stream, line);
  }
  return {
    pid: proc.pid!,
    started: true,
    stderrTail: () => tail.slice(),
    exited,
    running: () => alive,
  };
}

/** A process already running: it must exist and be ours to look into (root may look at any). */
export function attachPid(pid: number): Target {
  const st = readStat(pid);
  if (!st) throw new ObserveError(O.noSuchPid(pid), 2);
  if (st.state === 'Z') throw new ObserveError(O.pidIsZombie(pid), 2);
  const uid = process.getuid?.() ?? 0;
  const status = readStatus(pid);
  if (!status || (uid !== 0 && status.uid !== uid)) throw new ObserveError(O.notYours(pid, status?.uid), 2);
  let alive = true;
  let resolveExit: (e: TargetExit) => void = () => {};
  const exited = new Promise<TargetExit>((r) => (resolveExit = r));
  return {
    pid,
    started: false,
    stderrTail: () => [],
    exited,
    running: () => {
      // Not our child: its end shows only as its /proc entry going (or turning Z).
      if (alive) {
        const now = readStat(pid);
        if (!now || now.state === 'Z' || now.startTicks !== st.startTicks) {
          alive = false;
          resolveExit({ code: null, signal: null });
        }
      }
      return alive;
    },
  };
}

/** Processes in a process group (one walk over /proc: used when stopping, not every pass). */
export function groupMembers(pgid: number): { pid: number; ppid: number; state: string }[] {
  const out: { pid: number; ppid: number; state: string }[] = [];
  for (const pid of allPids()) {
    const st = readStat(pid);
    if (st && st.pgrp === pgid) out.push({ pid, ppid: st.ppid, state: st.state });
  }
  return out;
}

/** A signal to a whole process group; false when it is empty. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}
