// A process per connection (the seed's part 3; the default model): the master accepts, starts
// a worker for the connection — fork + exec through posix_spawn, because Node cannot fork() —
// hands it the connection as fd 3, and closes its own copy. The worker serves and exits; the
// master learns of it through SIGCHLD and reaps it as --reap says (reaper.ts).
//
// The seed's fd lessons are switches here: --parent-keeps-conn (the master keeps its copy,
// so the client never sees EOF and fds run out: EMFILE) and --child-keeps-listener (each
// worker keeps the listening socket, so the port stays bound while any worker lives).
import { closeSync, openSync } from 'node:fs';
import type { Accepted } from '../listener';
import { P } from '../process-strings';
import { selfFdCount } from '../proc';
import { SysError } from '../sys/libc';
import { closeQuietly, writeFd } from '../sys/socket';
import { AcceptGate, Arbiter } from '../workers';
import type { ModelFactory, RunContext, ServerModel } from './types';

/** Connections accepted per readiness before looking at the gate again. */
const ACCEPT_BATCH = 64;
/** EMFILE back-off: the listener stays readable while accept fails, so without a pause the loop would spin. */
const EMFILE_BACKOFF_MS = [250, 500, 1000, 2000];

/** A complete 503 answer, written straight to a connection no worker will serve. */
function response503(body: string): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`),
    bytes,
  ]);
}
const NO_FDS_503 = response503(P.body503NoFds);
const NO_PROCESS_503 = response503(P.body503NoProcess);

export const fork: ModelFactory = (ctx) => new ForkModel(ctx);

class ForkModel implements ServerModel {
  private readonly arbiter: Arbiter;
  private readonly gate: AcceptGate;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private nextConn = 1;
  /** --parent-keeps-conn: the master's copies of every handed-off connection, until release-fds. */
  private kept: number[] = [];
  /** The reserve fd: closed to make room for one accept when fds run out (EMFILE). */
  private spare: number | null = null;
  private emfileStreak = 0;
  private backoff: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: RunContext) {
    this.gate = new AcceptGate(ctx.emit);
    this.arbiter = new Arbiter(ctx, { zombies: (count) => this.onZombies(count) });
  }

  async start(): Promise<void> {
    this.spare = openSpare();
    this.arbiter.start();
    this.loop = this.run();
  }

  command(cmd: Parameters<ServerModel['command']>[0]): void {
    if (this.arbiter.command(cmd)) return;
    if (cmd.cmd === 'release-fds') this.releaseFds();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.backoff) clearTimeout(this.backoff);
    this.gate.release();
    this.ctx.listener.cancelWait();
    await this.loop;
    await this.arbiter.stopWorkers();
    if (this.kept.length) this.releaseFds();
    if (this.spare !== null) closeSync(this.spare);
    this.spare = null;
  }

  /** accept → spawn a worker for the connection → close our copy; again. */
  private async run(): Promise<void> {
    const { listener } = this.ctx;
    while (!this.stopping) {
      await this.gate.wait();
      if (this.stopping) break;
      let ready: boolean;
      try {
        ready = await listener.waitReadable();
      } catch (err) {
        this.ctx.emit({ type: 'error', code: err instanceof SysError ? err.code : undefined, message: P.waitFailed(err) });
        break;
      }
      if (!ready || this.stopping) break;
      if (this.gate.open) this.acceptBatch();
    }
  }

  private acceptBatch(): void {
    for (let i = 0; i < ACCEPT_BATCH && this.gate.open && !this.stopping; i++) {
      let accepted: Accepted | null;
      try {
        accepted = this.ctx.listener.accept();
      } catch (err) {
        if (err instanceof SysError && (err.code === 'EMFILE' || err.code === 'ENFILE')) this.outOfFds(err);
        else {
          this.ctx.emit({ type: 'error', code: err instanceof SysError ? err.code : undefined, message: P.acceptFailed(err) });
        }
        return;
      }
      if (!accepted) return;
      this.handOff(accepted);
    }
  }

  /** The seed's child/parent split: the worker gets the connection; the master lets go of it. */
  private handOff({ fd, peer }: Accepted): void {
    const { emit, opts, listener } = this.ctx;
    const conn = this.nextConn++;
    emit({ type: 'accept', conn, peer, fd });
    this.ctx.probe?.poke();
    try {
      this.arbiter.spawnWorker({
        role: 'connection',
        conn,
        peer,
        socketFd: fd,
        keptListenerFd: opts.childKeepsListener ? listener.fd : undefined,
      });
    } catch (err) {
      const code = err instanceof SysError ? err.code : undefined;
      emit({ type: 'error', conn, code, status: 503, message: code === 'EMFILE' ? P.emfileSpawn : code === 'EAGAIN' ? P.spawnFailedEagain : P.spawnFailed(err) });
      answer503(fd, code === 'EMFILE' || code === 'ENFILE' ? NO_FDS_503 : NO_PROCESS_503);
      closeQuietly(fd);
      if (code === 'EMFILE' || code === 'ENFILE') this.pauseForFds(P.emfileSpawn);
      return;
    }
    this.emfileStreak = 0;
    if (opts.parentKeepsConn) this.kept.push(fd); // lesson 5, broken on purpose
    else closeQuietly(fd);
  }

  /**
   * EMFILE: the connection stays in the queue and the socket stays readable. The reserve-fd
   * trick: close the spare, accept the one waiting, answer 503, close it, reopen the spare —
   * then pause accepting for a while instead of spinning.
   */
  private outOfFds(err: SysError): void {
    this.ctx.emit({ type: 'error', code: err.code, status: 503, message: P.emfile(selfFdCount()) });
    if (this.spare !== null) {
      closeSync(this.spare);
      this.spare = null;
      try {
        const one = this.ctx.listener.accept();
        if (one) {
          answer503(one.fd);
          closeQuietly(one.fd);
        }
      } catch {
        /* still none: the back-off below handles it */
      }
      this.spare = openSpare();
    }
    this.pauseForFds(P.emfile(selfFdCount()));
  }

  private pauseForFds(why: string): void {
    const ms = EMFILE_BACKOFF_MS[Math.min(this.emfileStreak, EMFILE_BACKOFF_MS.length - 1)];
    this.emfileStreak++;
    this.gate.close(P.reasons.emfile, why);
    if (this.backoff) clearTimeout(this.backoff);
    this.backoff = setTimeout(() => {
      this.backoff = null;
      this.gate.reopen(P.reasons.emfile);
    }, ms);
  }

  /** release-fds: close every connection copy the master kept; the clients see EOF now. */
  private releaseFds(): void {
    const count = this.kept.length;
    for (const fd of this.kept) closeQuietly(fd);
    this.kept = [];
    if (this.spare === null) this.spare = openSpare();
    this.emfileStreak = 0;
    if (this.backoff) clearTimeout(this.backoff);
    this.backoff = null;
    this.ctx.emit({ type: 'fds-released', count });
    if (!count && !this.ctx.opts.parentKeepsConn) this.ctx.emit({ type: 'notice', message: P.noKeptFds });
    this.gate.reopen(P.reasons.emfile);
  }

  /** --max-zombies: a demo must never exhaust the machine's process table. */
  private onZombies(count: number): void {
    const max = this.ctx.opts.maxZombies;
    if (!(max > 0)) return;
    if (count >= max) this.gate.close(P.reasons.maxZombies, P.maxZombies(count, max));
    else this.gate.reopen(P.reasons.maxZombies, P.belowMaxZombies(count));
  }
}

/** A spare fd held in reserve for EMFILE (/dev/null, close-on-exec as libuv opens it). */
function openSpare(): number | null {
  try {
    return openSync('/dev/null', 'r');
  } catch {
    return null;
  }
}

function answer503(fd: number, response: Buffer = NO_FDS_503): void {
  try {
    writeFd(fd, response); // a fresh socket's send buffer takes these few bytes at once
  } catch {
    /* the client left */
  }
}
