// The master as seen from the supervisor: a child_process child in its own process group
// (detached), NDJSON events on its stdout, commands on its stdin, the last lines of its stderr
// kept for when it dies. libuv reaps it; its workers are NOT child_process children.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Command } from '../../server-core/events';
import type { MasterLaunch } from './launch';
import { LineSplitter } from './ndjson';

export interface MasterExit {
  code: number | null;
  signal: string | null;
  stderr: string[];
}

export interface MasterHandlers {
  /** One line of stdout (an event, normally). */
  line(line: string): void;
  /** The master exited (or could not be started: code null, signal null, stderr the reason). */
  exit(exit: MasterExit): void;
}

const STDERR_LINES = 20;
const STDERR_LINE_CAP = 1000;
/** After `exit`, wait this long for stderr to drain (workers may hold the pipe open forever). */
const STDERR_GRACE_MS = 150;

export class MasterProcess {
  readonly pid: number;
  readonly argv: string[];
  readonly exited: Promise<MasterExit>;
  private readonly proc: ChildProcess;
  private readonly tail: string[] = [];
  private alive = true;

  private constructor(proc: ChildProcess, argv: string[], handlers: MasterHandlers) {
    this.proc = proc;
    this.pid = proc.pid ?? -1;
    this.argv = argv;
    const out = new LineSplitter();
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => out.push(chunk, handlers.line));
    proc.stdout!.on('end', () => out.end(handlers.line));
    const err = new LineSplitter();
    let stderrEnded = false;
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => err.push(chunk, (l) => this.keep(l)));
    proc.stderr!.on('end', () => {
      err.end((l) => this.keep(l));
      stderrEnded = true;
    });
    proc.stdin!.on('error', () => {}); // EPIPE once it is gone: its exit is reported instead

    this.exited = new Promise<MasterExit>((resolve) => {
      const finish = (code: number | null, signal: string | null, extra?: string): void => {
        if (!this.alive) return;
        this.alive = false;
        if (extra) this.keep(extra);
        let reported = false;
        const report = (): void => {
          if (reported) return;
          reported = true;
          const exit = { code, signal, stderr: this.tail.slice() };
          handlers.exit(exit);
          resolve(exit);
        };
        if (stderrEnded) report();
        else {
          const timer = setTimeout(report, STDERR_GRACE_MS);
          proc.stderr!.once('end', () => {
            clearTimeout(timer);
            setImmediate(report);
          });
        }
      };
      proc.on('exit', (code, signal) => finish(code, signal));
      proc.on('error', (e) => {
        // spawn failed (ENOENT, EACCES): there will be no exit event.
        if (proc.pid === undefined) finish(null, null, e.message);
      });
    });
  }

  static start(launch: MasterLaunch, serveArgs: string[], handlers: MasterHandlers): MasterProcess {
    const argv = [launch.node, ...launch.args, ...serveArgs];
    const proc = spawn(launch.node, [...launch.args, ...serveArgs], {
      cwd: launch.cwd,
      env: launch.env,
      detached: true, // own session and process group: kill(-pid) reaches every worker
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new MasterProcess(proc, argv, handlers);
  }

  get running(): boolean {
    return this.alive;
  }

  /** Did spawn fail before a process existed? */
  get started(): boolean {
    return this.pid > 0;
  }

  /** A run-time command, one JSON line on stdin. */
  send(cmd: Command): boolean {
    if (!this.alive || !this.proc.stdin!.writable) return false;
    this.proc.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return true;
  }

  /** A signal to the master alone (it then stops its own workers: the graceful way). */
  signal(sig: NodeJS.Signals): void {
    if (!this.alive || !this.started) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      /* already gone */
    }
  }

  /** A signal to the whole process group: the master and every worker still in it. */
  signalGroup(sig: NodeJS.Signals): boolean {
    if (!this.started) return false;
    try {
      process.kill(-this.pid, sig);
      return true;
    } catch {
      return false; // ESRCH: the group is empty
    }
  }

  stderr(): string[] {
    return this.tail.slice();
  }

  private keep(line: string): void {
    this.tail.push(line.length > STDERR_LINE_CAP ? `${line.slice(0, STDERR_LINE_CAP)}…` : line);
    if (this.tail.length > STDERR_LINES) this.tail.shift();
  }
}
