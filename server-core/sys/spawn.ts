// Starting a worker process. Node cannot fork(): V8 marks its heap MADV_DONTFORK, so a
// forked copy of the master would crash at once. Workers are therefore started the way
// inetd and CGI servers start theirs — fork + exec, here glibc's posix_spawn — with the
// connection (or the listening socket) already in place as fd 3. Never child_process:
// libuv would reap those children itself and no zombie or SIGCHLD lesson would be real.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tracer, traced } from './calls';
import { check, errno as koffiErrno, errnoName, libc, SysError } from './libc';

// glibc x86_64 sizes, allocated as opaque buffers.
const FILE_ACTIONS_BYTES = 80;
const SPAWNATTR_BYTES = 336;
const SIGSET_BYTES = 128;

const POSIX_SPAWN_SETSIGDEF = 0x04; // same value on glibc and macOS
const POSIX_SPAWN_SETSIGMASK = 0x08;
const F_SETFD = 2;
const O_RDONLY = 0;
const FD_CLOEXEC = 1;
const F_DUPFD_CLOEXEC = process.platform === 'darwin' ? 67 : 1030;
const O_CLOEXEC = process.platform === 'darwin' ? 0x1000000 : 0o2000000;
/** Temporary fds are moved at or above this, so dup2 onto 3, 4, 5 never clobbers one. */
const TEMP_FD_FLOOR = 10;

const faInit = libc.func('int posix_spawn_file_actions_init(void *fa)');
const faAddDup2 = libc.func('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)');
const faAddOpen = libc.func('int posix_spawn_file_actions_addopen(void *fa, int fd, const char *path, int oflag, unsigned int mode)');
const faDestroy = libc.func('int posix_spawn_file_actions_destroy(void *fa)');
// glibc ≥ 2.34; macOS has no closefrom action (every fd forkscope opens is close-on-exec anyway).
const faAddClosefrom = optional('int posix_spawn_file_actions_addclosefrom_np(void *fa, int from)');
const attrInit = libc.func('int posix_spawnattr_init(void *attr)');
const attrSetFlags = libc.func('int posix_spawnattr_setflags(void *attr, short flags)');
const attrSetSigDefault = libc.func('int posix_spawnattr_setsigdefault(void *attr, const void *set)');
const attrSetSigMask = libc.func('int posix_spawnattr_setsigmask(void *attr, const void *set)');
const attrDestroy = libc.func('int posix_spawnattr_destroy(void *attr)');
const sigfillset = libc.func('int sigfillset(void *set)');
const sigemptyset = libc.func('int sigemptyset(void *set)');
// posix_spawn returns the error number itself; it does not set errno.
const posixSpawn = libc.func(
  'int posix_spawn(_Out_ int *pid, const char *path, void *fa, void *attr, const char **argv, const char **envp)',
);
// fcntl is variadic: declared so, or its third argument goes astray on arm64.
const fcntl_ = libc.func('int fcntl(int fd, int cmd, ...)');
const close_ = libc.func('int close(int fd)');
const pipe2_ = optional('int pipe2(int *fds, int flags)'); // Linux; macOS: pipe + FD_CLOEXEC
const pipe_ = libc.func('int pipe(int *fds)');

/** A libc function that may be missing on this platform. */
function optional(proto: string): ((...args: unknown[]) => number) | null {
  try {
    return libc.func(proto) as (...args: unknown[]) => number;
  } catch {
    return null;
  }
}

// Built once: every signal back to its default (Node ignores SIGPIPE, and an ignored signal
// survives exec), and an empty signal mask.
const allSignals = Buffer.alloc(SIGSET_BYTES);
const noSignals = Buffer.alloc(SIGSET_BYTES);
sigfillset(allSignals);
sigemptyset(noSignals);

export interface SpawnSpec {
  /** Absolute path of the program. */
  path: string;
  argv: string[];
  env: Record<string, string>;
  /** fds[i] becomes fd 3 + i in the child; every other fd above 2 is closed. */
  fds: number[];
  /**
   * fd 0–2 of the child: by default the caller's own. 'null' stdin reads /dev/null;
   * 'stderr' stdout writes to the caller's stderr.
   */
  stdio?: { stdin?: 'inherit' | 'null'; stdout?: 'inherit' | 'stderr' };
}

export interface Spawned {
  pid: number;
  /** Time posix_spawn took in the caller, ms. */
  spawnMs: number;
}

/**
 * posix_spawn with stdio kept, the given fds at 3, 4, 5…, signals reset. Rejects with SysError
 * (EAGAIN, ENOMEM, EMFILE). The call itself runs on one of libuv's pool threads (koffi's
 * .async), which makes that thread the child's parent: the kernel sends it the child's
 * SIGCHLD (sigchld-eintr.ts).
 */
export async function spawnProcess(spec: SpawnSpec): Promise<Spawned> {
  const t0 = process.hrtime.bigint();
  const temps: number[] = [];
  const fa = Buffer.alloc(FILE_ACTIONS_BYTES);
  const attr = Buffer.alloc(SPAWNATTR_BYTES);
  let faReady = false;
  let attrReady = false;
  try {
    // Move every fd to pass out of the way first (3 might be the pipe, 4 the connection…).
    for (const fd of spec.fds) temps.push(check('fcntl(F_DUPFD_CLOEXEC)', fcntl_(fd, F_DUPFD_CLOEXEC, 'int', TEMP_FD_FLOOR) as number));
    spawnCheck('posix_spawn_file_actions_init', faInit(fa) as number);
    faReady = true;
    // Node marks 0–2 close-on-exec; dup2 onto itself clears the flag in the child.
    if (spec.stdio?.stdin === 'null') spawnCheck('posix_spawn_file_actions_addopen', faAddOpen(fa, 0, '/dev/null', O_RDONLY, 0) as number);
    else spawnCheck('posix_spawn_file_actions_adddup2', faAddDup2(fa, 0, 0) as number);
    spawnCheck('posix_spawn_file_actions_adddup2', faAddDup2(fa, spec.stdio?.stdout === 'stderr' ? 2 : 1, 1) as number);
    spawnCheck('posix_spawn_file_actions_adddup2', faAddDup2(fa, 2, 2) as number);
    temps.forEach((tmp, i) => spawnCheck('posix_spawn_file_actions_adddup2', faAddDup2(fa, tmp, 3 + i) as number));
    if (faAddClosefrom) spawnCheck('posix_spawn_file_actions_addclosefrom_np', faAddClosefrom(fa, 3 + temps.length));
    spawnCheck('posix_spawnattr_init', attrInit(attr) as number);
    attrReady = true;
    spawnCheck('posix_spawnattr_setflags', attrSetFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) as number);
    spawnCheck('posix_spawnattr_setsigdefault', attrSetSigDefault(attr, allSignals) as number);
    spawnCheck('posix_spawnattr_setsigmask', attrSetSigMask(attr, noSignals) as number);
    const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
    const pid = [0];
    const rc = await new Promise<number>((resolve, reject) => {
      posixSpawn.async(pid, spec.path, fa, attr, [...spec.argv, null], [...env, null], (err: unknown, r: number) => (err ? reject(err) : resolve(r)));
    });
    if (tracer) traced('posix_spawn', `[${pid[0]}], "${spec.path}", [${spec.argv.slice(1).map((a) => `"${a}"`).join(', ')}]`, rc === 0 ? 0 : -1, rc === 0 ? undefined : errnoName(rc));
    spawnCheck('posix_spawn', rc);
    return { pid: pid[0], spawnMs: Number(process.hrtime.bigint() - t0) / 1e6 };
  } finally {
    if (faReady) faDestroy(fa);
    if (attrReady) attrDestroy(attr);
    for (const tmp of temps) close_(tmp);
  }
}

function spawnCheck(call: string, rc: number): void {
  if (rc !== 0) throw new SysError(call, rc);
}

/** A pipe, both ends close-on-exec (the spawn passes the write end explicitly). Returns [read, write]. */
export function makePipe(): [number, number] {
  const fds = new Int32Array(2);
  if (pipe2_) {
    const rc = pipe2_(fds, O_CLOEXEC);
    if (tracer) traced('pipe2', `[${fds[0]}, ${fds[1]}], O_CLOEXEC`, rc, rc === -1 ? errnoName(koffiErrno()) : undefined);
    check('pipe2', rc);
  } else {
    check('pipe', pipe_(fds) as number);
    for (const fd of fds) fcntl_(fd, F_SETFD, 'int', FD_CLOEXEC);
  }
  return [fds[0], fds[1]];
}

export function closeFd(fd: number): void {
  const rc = close_(fd) as number;
  if (tracer) traced('close', String(fd), rc, rc === -1 ? errnoName(koffiErrno()) : undefined);
}

/**
 * dist-core/worker.cjs (CommonJS: it starts faster than an ES module, and every fork-model
 * request pays a start). The bundles sit side by side (cli.mjs next to worker.cjs), so the
 * bundle's own location finds it; from TypeScript sources (tests), the repository's dist-core/.
 */
export function workerScript(): string {
  const beside = fileURLToPath(new URL('./worker.cjs', import.meta.url));
  if (existsSync(beside)) return beside;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'dist-core', 'worker.cjs');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return beside;
}

/**
 * A minimal environment: NODE_EXTRA_CA_CERTS alone costs ~70 ms per worker start.
 * ELECTRON_RUN_AS_NODE is kept so Electron's binary runs the worker as plain Node.
 */
export function workerEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TZ', 'LANG', 'ELECTRON_RUN_AS_NODE']) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  return { ...env, ...extra };
}
