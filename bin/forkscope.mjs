#!/usr/bin/env node
// forkscope's command line. Builds the TypeScript sources on first use (a second or so),
// then runs the bundled CLI.
import { ensureBuilt } from '../scripts/build-core.mjs';

try {
  const { cli } = await ensureBuilt();
  const { main } = await import(cli);
  await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`forkscope: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
