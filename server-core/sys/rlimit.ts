// RLIMIT_NOFILE: how many fds this process may hold open. `--nofile N` lowers it so the
// tutorial's descriptor lesson (a parent that keeps every client socket) ends in a real EMFILE.
import { check, libc } from './libc';

const RLIMIT_NOFILE = process.platform === 'linux' ? 7 : 8;

const getrlimit_ = libc.func('int getrlimit(int resource, void *rlim)');
const setrlimit_ = libc.func('int setrlimit(int resource, const void *rlim)');

export interface Limit {
  /** The limit enforced now (soft); Infinity for RLIM_INFINITY. */
  soft: number;
  /** The ceiling an unprivileged process may raise the soft limit to. */
  hard: number;
}

const INFINITY = 0xffffffffffffffffn;
const toNumber = (v: bigint): number => (v === INFINITY ? Infinity : Number(v));
const toRlim = (v: number): bigint => (v === Infinity ? INFINITY : BigInt(v));

export function getNofile(): Limit {
  const r = Buffer.alloc(16);
  check('getrlimit', getrlimit_(RLIMIT_NOFILE, r));
  return { soft: toNumber(r.readBigUInt64LE(0)), hard: toNumber(r.readBigUInt64LE(8)) };
}

/** Sets the soft limit (the hard one stays, unless n exceeds it: that needs privilege). Throws SysError. */
export function setNofile(n: number): Limit {
  const cur = getNofile();
  const r = Buffer.alloc(16);
  r.writeBigUInt64LE(toRlim(n), 0);
  r.writeBigUInt64LE(toRlim(Math.max(n, cur.hard)), 8);
  check('setrlimit', setrlimit_(RLIMIT_NOFILE, r));
  return getNofile();
}
