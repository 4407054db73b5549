// The Python 3 the examples run with: the interpreter itself, not a launcher shim (pyenv's
// takes a second to start, which a test would count as the server's start-up).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './server';

function findPython(): string | null {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

export const python = findPython();

/** `-- PYTHON examples/NAME 0`: the example on a free port, as observe's arguments. */
export function example(name: string): string[] {
  return ['--', python ?? 'python3', join(root, 'examples', name), '0'];
}
