// Every worker process starts here (dist-core/worker.cjs) and runs the worker bundle
// (worker-main.cjs, from main.ts) through V8's code cache when there is one. A fork-model
// worker's start is part of every request, and compiling the bundle is much of it; with the
// cache V8 loads the compiled functions instead. The cache is written by a worker as it exits
// — the first one after each build — so it holds the functions a worker really ran, not only
// those V8 compiles up front. It is keyed by the bundle's size and time, so a rebuild never
// meets a stale one; V8 itself refuses a cache from another Node version or other flags.
import { closeSync, fstatSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

const file = join(__dirname, 'worker-main.cjs');
// Size, time and text from one open file: a rebuild renaming a new bundle into place meanwhile
// cannot pair one bundle's text with the other's cache.
const fd = openSync(file, 'r');
const { size, mtimeMs } = fstatSync(fd);
const source = readFileSync(fd, 'utf8');
closeSync(fd);
const cacheFile = `${file}.${size}-${Math.round(mtimeMs)}.cache`;

let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined; // none yet: this worker writes it
}

// On Node 20 an import() in code from a cache finds no module loader, so the bundle has none
// (its build turns import() of Node's modules into require()) and an app, which may be an ES
// module, is imported by this ordinary module on its behalf (app-loader.ts).
(globalThis as Record<symbol, unknown>)[Symbol.for('forkscope.import')] = (url: string): Promise<unknown> => import(url);
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });

const run = script.runInThisContext() as (exports: object, req: NodeRequire, module: object, filename: string, dirname: string) => void;
const mod = { exports: {} };
run.call(mod.exports, mod.exports, require, mod, file, __dirname);

// Registered after the bundle's own exit handlers: its last events go to the master first.
if (!cachedData || script.cachedDataRejected) {
  process.on('exit', () => {
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only install: workers start without the cache.
    }
  });
}
