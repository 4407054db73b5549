// The tutorial's descriptor lesson, in code. A process may hold at most RLIMIT_NOFILE open
// descriptors (--nofile lowers the master's); every connection costs one, every worker's
// pipes a few more. Two consequences the tutorial shows:
//   - the parent must close its copy of each connection, and the child its copy of the
//     listening socket (models/fork.ts; --parent-keeps-conn and --child-keeps-listener break
//     each on purpose);
//   - when none is left, accept() fails with EMFILE while the client stays in the queue and the
//     listening socket stays readable: a loop that simply tries again spins. The way out kept
//     here is the reserve descriptor: close a spare one, accept the waiting client, answer it
//     503, and open the spare again.
import { closeSync, fstatSync, openSync, readdirSync } from 'node:fs';
import type { Model } from './events';

/** A spare descriptor held in reserve for EMFILE (/dev/null; close-on-exec, as libuv opens it). */
export class ReserveFd {
  private fd: number | null = null;

  constructor() {
    this.reopen();
  }

  get held(): boolean {
    return this.fd !== null;
  }

  /** Gives the spare back to the kernel: one descriptor is free for an accept(). */
  release(): boolean {
    if (this.fd === null) return false;
    closeSync(this.fd);
    this.fd = null;
    return true;
  }

  /** Takes a spare again (once the connection it made room for is closed). */
  reopen(): void {
    if (this.fd !== null) return;
    try {
      this.fd = openSync('/dev/null', 'r');
    } catch {
      this.fd = null; // none free: tried again next time
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Descriptors a model needs beyond those its master holds when it starts serving (its poller
 * is made before it counts): the iterative master, a connection and the reserve; a fork master
 * starting a worker, the connection, the reserve, two pipes (both ends until the spawn is
 * done) and the three copies posix_spawn moves out of the way; a prefork master, the pipes of
 * each worker it keeps and those of the one it starts. Two more for what Node opens meanwhile.
 */
function masterExtra(model: Model, workers: number): number {
  const margin = 2;
  if (model === 'iterative') return 2 + margin;
  if (model === 'fork') return 9 + margin;
  return 2 * workers + 7 + margin;
}

/**
 * A worker inherits the limit (as children do), and a Node process needs about this many of
 * its own to start (measured: its event loop, its thread pool's pipes, the standard streams
 * and the descriptors it is handed); a pool worker adds its poller and its connections.
 */
const WORKER_BASE = 25;

export interface NofileNeeds {
  /** Descriptors the master holds now. */
  held: number;
  /** The lowest --nofile this model can serve with. */
  minimum: number;
}

/**
 * The lowest limit the model can run with, from the descriptors this process holds now (null
 * without /proc). The limit bounds descriptor numbers — a new one gets the lowest number free,
 * and fails with EMFILE when that is not below the limit — so what counts is how many of the
 * low numbers are taken.
 */
export function nofileNeeds(model: Model, workers: number, workerConnections: number): NofileNeeds | null {
  const open = openFds();
  if (open === null) return null;
  const extra = masterExtra(model, workers);
  let limit = 0;
  for (let free = 0; free < extra; limit++) if (!open.has(limit)) free++;
  const worker = model === 'iterative' ? 0 : WORKER_BASE + (model === 'prefork' ? 3 + workerConnections : 0);
  return { held: open.size, minimum: Math.max(limit, worker) };
}

/** This process's open descriptor numbers (null without /proc). */
function openFds(): Set<number> | null {
  try {
    const names = readdirSync('/proc/self/fd');
    // One of them is the directory readdir itself opened, closed again by now.
    const open = new Set(names.map(Number));
    return new Set([...open].filter((fd) => fstatOk(fd)));
  } catch {
    return null;
  }
}

function fstatOk(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}
