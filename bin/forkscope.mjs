#!/usr/bin/env node
// forkscope's command line. Builds the TypeScript sources on first use (a second or so),
// then runs the bundled CLI.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isFresh, outDir } from '../scripts/build-core.mjs';

try {
  if (!isFresh()) {
    // Build in a separate process: esbuild's service would otherwise be a child of a server
    // master, and the master's children are exactly what forkscope shows.
    const script = fileURLToPath(new URL('../scripts/build-core.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`building the TypeScript sources failed (${script})`);
  }
  const { main } = await import(pathToFileURL(join(outDir, 'cli.mjs')).href);
  await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`forkscope: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
