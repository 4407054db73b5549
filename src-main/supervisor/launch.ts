// How the master is started: which node binary, which script, which environment. In the CLI,
// the tests and browser mode it is the system node running bin/forkscope.mjs; in the desktop
// app it is Electron's own binary with ELECTRON_RUN_AS_NODE=1, so a packaged app
// needs no Node installed.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MasterLaunch {
  /** The node binary. */
  node: string;
  /** Arguments before `serve`: usually the forkscope CLI script. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The project root: the nearest directory above this file holding bin/forkscope.mjs. */
export function findRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'bin', 'forkscope.mjs'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

/**
 * The default launch: this process's own binary (node, or Electron as node), the CLI script,
 * and this process's environment.
 */
export function defaultLaunch(overrides: Partial<MasterLaunch> = {}): MasterLaunch {
  const root = findRoot();
  const electron = typeof process.versions.electron === 'string';
  const env = { ...process.env, ...(electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
  return {
    node: process.execPath,
    args: [join(root, 'bin', 'forkscope.mjs')],
    env,
    cwd: root,
    ...overrides,
  };
}
