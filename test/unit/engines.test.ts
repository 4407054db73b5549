// The Node versions the README promises match what the installed packages declare: every package
// whose `engines.node` excludes the README's minimum is named in the README's note, and accepts
// the version the note gives for an install without EBADENGINE warnings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/server';

type Version = [number, number, number];
const parse = (v: string): Version => {
  const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map((x) => Number.parseInt(x, 10));
  return [a, b, c];
};
const cmp = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** npm's range syntax as package-lock.json's engines use it: `||` of `>=`, `>`, `<`, `<=`, `^`, exact. */
function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((alt) =>
    alt
      .trim()
      .replace(/(>=|<=|>|<|\^|=)\s+/g, '$1')
      .split(/\s+/)
      .every((c) => {
        const m = /^(>=|<=|>|<|\^|=)?(\d+(?:\.\d+){0,2})$/.exec(c);
        if (!m) throw new Error(`range syntax this test does not read: ${range}`);
        const r = parse(m[2]);
        switch (m[1]) {
          case '>=':
            return cmp(v, r) >= 0;
          case '>':
            return cmp(v, r) > 0;
          case '<=':
            return cmp(v, r) <= 0;
          case '<':
            return cmp(v, r) < 0;
          case '^':
            return cmp(v, r) >= 0 && v[0] === r[0];
          default:
            return cmp(v, r) === 0 || (m[2].split('.').length < 3 && v[0] === r[0] && (m[2].split('.').length < 2 || v[1] === r[1]));
        }
      }),
  );
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string }; optional?: boolean }>;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

describe('Node versions: the README, package.json and the installed packages agree', () => {
  const minimum = /needs Node (\d+\.\d+) or newer/.exec(readme)?.[1];
  const note = /packages\s*\n?\(([^)]*)\) declare Node (\d+\.\d+) or newer/.exec(readme);

  it('the README states the minimum, and package.json engines says the same', () => {
    expect(minimum).toBeDefined();
    expect(pkg.engines.node).toBe(`>=${minimum}`);
  });

  it('names exactly the packages that warn EBADENGINE on the minimum, and the version that does not', () => {
    expect(note).not.toBeNull();
    const named = [...note![1].matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort();
    const warn = Object.entries(lock.packages)
      .filter(([path, p]) => path && !p.optional && p.engines?.node && !satisfies(`${minimum}.0`, p.engines.node))
      .map(([path]) => path.replace(/^.*node_modules\//, ''))
      .sort();
    expect(warn).toEqual(named);
    for (const [path, p] of Object.entries(lock.packages)) {
      if (path && !p.optional && p.engines?.node) expect(satisfies(`${note![2]}.0`, p.engines.node), `${path} ${p.engines.node}`).toBe(true);
    }
  });

  it('reads the range syntax right', () => {
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('22.11.0', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('20.19.0', '>= 22.12.0')).toBe(false);
    expect(satisfies('20.19.0', '^6 || ^7 || >=13.7')).toBe(true);
    expect(satisfies('20.19.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
    expect(satisfies('23.1.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(false);
  });
});
