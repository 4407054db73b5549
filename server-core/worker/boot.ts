// The file a worker process runs (bundled as dist-core/worker.cjs): it runs the worker proper,
// dist-core/worker-main.cjs (main.ts), with a V8 code cache. Every fork-model request pays a
// worker start, and without a cache V8 compiles the bundle, then each function on its first
// call — the request path included — in every worker again (~3 ms of a ~60 ms request here,
// docs/processes.md). The cache is taken at the exit of a worker that had none, so it holds
// the functions serving that request compiled; later workers start from it.
// Plain Node only: nothing here may cost more than it saves.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

const file = join(__dirname, 'worker-main.cjs');
const cacheFile = join(__dirname, 'worker-main.cache');

/** Ties a cache to one build: V8 itself checks only the source's length. */
function keyOf(): string {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}\n`;
}

function readCache(key: string): Buffer | undefined {
  try {
    const data = readFileSync(cacheFile);
    return data.subarray(0, key.length).toString('latin1') === key ? data.subarray(key.length) : undefined;
  } catch {
    return undefined; // none yet
  }
}

/** Written whole under a private name, then renamed: workers exiting together never see half a cache. */
function writeCache(key: string, script: Script): void {
  try {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([Buffer.from(key, 'latin1'), script.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    /* a read-only install: run without a cache */
  }
}

/**
 * Node 20 loses import()'s loader in a script run from a code cache ("A dynamic import callback
 * was not specified"), so the app loader imports through this file, a module Node loaded itself.
 */
(globalThis as Record<symbol, unknown>)[Symbol.for('forkscope.import')] = (url: string): Promise<unknown> => import(url);

function run(): void {
  const key = keyOf();
  const cachedData = readCache(key);
  const source = readFileSync(file, 'utf8');
  // CommonJS's own wrapper, so the bundle runs exactly as if require()d.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    cachedData,
  });
  if (!cachedData || script.cachedDataRejected) process.on('exit', () => writeCache(key, script));
  const fn = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void;
  const mod = { exports: {} };
  fn(mod.exports, require, mod, file, __dirname);
}

run();
