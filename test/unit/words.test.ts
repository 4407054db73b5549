// What a learner reads names the tutorial and its parts, never our own shorthand for it: no
// "seed", no "(Lesson 6)", no bare "client3" (issue 16, item 11). The UI's catalogs, the CLI's
// --help and messages and the code a learner opens in server-core/ are all checked, comments too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

const JARGON: [RegExp, string][] = [
  [/\bseed\b/i, 'say "the tutorial" instead of "the seed"'],
  [/\(Lesson \d+\)|\blesson \d+\b/i, 'name the tutorial’s part ("Part 3: zombies"), not a number of ours'],
  [/client3(?!\.py)/, 'the tutorial’s script is client3.py'],
];

describe('words a learner reads', () => {
  for (const dir of ['server-core', 'src-renderer', 'src-main', 'bin']) {
    it(`${dir}/ uses the tutorial's own names`, () => {
      const found: string[] = [];
      for (const file of sources(join(root, dir))) {
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            for (const [re, why] of JARGON) if (re.test(line)) found.push(`${relative(root, file)}:${i + 1}: ${why}: ${line.trim()}`);
          });
      }
      expect(found).toEqual([]);
    });
  }
});
