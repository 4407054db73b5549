// `electron-vite build` passes and produces what the shell expects: an ES-module main, a
// CommonJS preload that a sandboxed renderer can load (only 'electron' required), and the
// renderer that browser mode serves.
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, rendererFresh } from '../../src-main/web/renderer-build';
import { root } from './harness';

describe('electron-vite build', () => {
  it('builds main, preload and renderer', async () => {
    await buildApp(root);
    const out = join(root, 'out');
    const main = readFileSync(join(out, 'main', 'index.js'), 'utf8');
    expect(main).toMatch(/from "electron"/);
    const preload = readFileSync(join(out, 'preload', 'index.cjs'), 'utf8');
    expect(preload).toMatch(/require\("electron"\)/);
    expect(preload).not.toMatch(/^\s*import\s/m);
    // Nothing but 'electron' may be required by a sandboxed preload.
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld("forkscope"');
    const html = readFileSync(join(out, 'renderer', 'index.html'), 'utf8');
    // Relative asset URLs, so the same build loads from forkscope://app/ and http://127.0.0.1:PORT/.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((a) => !a.startsWith('data:'));
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      expect(a.startsWith('./')).toBe(true);
      expect(existsSync(join(out, 'renderer', a))).toBe(true);
    }
    expect(rendererFresh(root)).toBe(true);
  });
});
