// Browser mode serves the renderer that electron-vite builds into out/renderer. Build it when it
// is missing or older than its sources, as a child process whose output goes to stderr
// (stdout carries only the one address line).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: the nearest directory above this file whose package.json is forkscope's. */
export function findRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'forkscope') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find forkscope's package.json above ${from}`);
    dir = up;
  }
}

export function rendererDir(root: string): string {
  return join(root, 'out', 'renderer');
}

/** Sources the renderer bundle is made from (it may import shared types from the other two). */
const SOURCES = ['src-renderer', 'src-main', 'server-core', 'electron.vite.config.ts', 'package.json'];
const STAMP = '.forkscope-built';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

export function sourcesMtime(root: string): number {
  return Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
}

/** True when out/renderer holds a build at least as new as every source. */
export function rendererFresh(root: string): boolean {
  const dir = rendererDir(root);
  const stamp = join(dir, STAMP);
  if (!existsSync(join(dir, 'index.html')) || !existsSync(stamp)) return false;
  return Number(readFileSync(stamp, 'utf8')) >= sourcesMtime(root);
}

/** Runs `electron-vite build` (main, preload and renderer) and stamps the result. */
export async function buildApp(root: string, log: (line: string) => void = () => {}): Promise<void> {
  const started = sourcesMtime(root);
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const child = spawn(process.execPath, [cli, 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => log(c.toString()));
  child.stderr.on('data', (c: Buffer) => log(c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new BuildError(code);
  writeFileSync(join(rendererDir(root), STAMP), String(started));
}

export class BuildError extends Error {
  constructor(readonly code: number | null) {
    super(`electron-vite build exited with ${code}`);
  }
}

/** Builds when needed; returns the directory to serve. */
export async function ensureRenderer(root: string, log: (line: string) => void = () => {}): Promise<{ dir: string; built: boolean }> {
  if (rendererFresh(root)) return { dir: rendererDir(root), built: false };
  await buildApp(root, log);
  return { dir: rendererDir(root), built: true };
}
