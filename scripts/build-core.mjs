// Bundles the TypeScript of server-core/ and src-main/ into plain JS files in dist-core/,
// so `npx forkscope` needs no build step and a worker starts from one small JS file
// (a worker's start time is the lesson: no TypeScript loader on that path).
// Rebuilds only when a source is newer than the last build; safe to run concurrently.
import { build, stop } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const outDir = join(root, 'dist-core');

/** name → entry. Each becomes dist-core/<name>.mjs — except the worker's, dist-core/<name>.cjs. */
const entries = {
  cli: 'server-core/cli.ts',
  // worker.cjs is what a worker process runs: a loader that runs worker-main.cjs from V8's
  // code cache (server-core/worker/loader.ts).
  worker: 'server-core/worker/loader.ts',
  'worker-main': 'server-core/worker/main.ts',
  web: 'src-main/web/main.ts',
};

// The worker is CommonJS and has no source map: every fork-model request pays a worker start,
// and on Node 20 a CommonJS file got to its first byte ~10 ms sooner than the same code as an
// ES module, and an inline map (twice the code's size) cost ~7 ms more (docs/processes.md).
const commonjs = new Set(['worker', 'worker-main']);
const fileOf = (name) => `${name}.${commonjs.has(name) ? 'cjs' : 'mjs'}`;

// Packages that stay in node_modules (native, or large and not on a worker's path).
const external = ['koffi', 'esbuild', 'ws', 'commander', 'zod', 'playwright-core', 'electron', 'vite', 'electron-vite'];

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.(ts|tsx|mts|js|mjs|json)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function sourcesMtime() {
  return Math.max(
    newestMtime(join(root, 'server-core')),
    newestMtime(join(root, 'src-main')),
    statSync(join(root, 'package.json')).mtimeMs, // --version
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
  );
}

function stampOk() {
  const stamp = join(outDir, '.stamp');
  if (!existsSync(stamp)) return false;
  const built = Number(readFileSync(stamp, 'utf8'));
  if (!(built >= sourcesMtime())) return false;
  return Object.keys(entries).every((n) => !existsSync(join(root, entries[n])) || existsSync(join(outDir, fileOf(n))));
}

/** True when dist-core/ holds bundles of the current sources. */
export function isFresh() {
  return stampOk();
}

/** Builds dist-core/ if it is missing or stale. Returns the paths of the bundles. */
export async function ensureBuilt({ force = false } = {}) {
  const paths = Object.fromEntries(Object.keys(entries).map((n) => [n, join(outDir, fileOf(n))]));
  if (!force && stampOk()) return paths;
  const started = sourcesMtime();
  mkdirSync(outDir, { recursive: true });
  const tag = `${process.pid}-${Date.now()}`;
  await Promise.all(
    Object.entries(entries)
      .filter(([, src]) => existsSync(join(root, src)))
      .map(async ([name, src]) => {
        const cjs = commonjs.has(name);
        const tmp = join(outDir, `${name}.${tag}.tmp.${cjs ? 'cjs' : 'mjs'}`);
        await build({
          entryPoints: [join(root, src)],
          outfile: tmp,
          bundle: true,
          platform: 'node',
          format: cjs ? 'cjs' : 'esm',
          target: 'node20',
          sourcemap: cjs ? false : 'inline',
          external,
          logLevel: 'error',
          // CommonJS dependencies bundled into ESM may call require().
          ...(cjs ? {} : { banner: { js: "import { createRequire as __fsCreateRequire } from 'node:module'; const require = __fsCreateRequire(import.meta.url);" } }),
          // Run from V8's code cache, where import() finds no loader on Node 20 (loader.ts):
          // Node's own modules are required instead, and apps are imported by the loader.
          ...(name === 'worker-main' ? { supported: { 'dynamic-import': false } } : {}),
        });
        renameSync(tmp, paths[name]);
      }),
  );
  // Code caches of earlier worker bundles (loader.ts keys them by the bundle's size and time).
  for (const f of readdirSync(outDir)) if (/^worker-main\.cjs\..*\.cache$/.test(f)) rmSync(join(outDir, f), { force: true });
  // esbuild keeps a service child process alive; a server master must not show it as a worker.
  await stop();
  writeFileSync(join(outDir, `.stamp.${tag}`), String(started));
  renameSync(join(outDir, `.stamp.${tag}`), join(outDir, '.stamp'));
  return paths;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureBuilt({ force: process.argv.includes('--force') });
}
