import { describe, expect, it } from 'vitest';
import { loadApp, parseSpec } from '../../server-core/app-loader';
import type { GatewayInfo } from '../../server-core/http/types';

const info: GatewayInfo = { serverName: '127.0.0.1', serverPort: 8888, multiprocess: false, runOnce: false };
const fail = (spec: string, iface: 'wsgi' | 'fetch' | 'node' = 'wsgi') =>
  loadApp(spec, iface, info).then(
    () => {
      throw new Error(`expected '${spec}' to fail`);
    },
    (err: Error) => err.message,
  );

describe('loadApp', () => {
  it('knows the built-in apps for every interface', async () => {
    for (const name of ['hello', 'slow', 'echo', 'stream', 'crash']) {
      for (const iface of ['wsgi', 'fetch', 'node'] as const) {
        const app = await loadApp(name, iface, info);
        expect(app).toMatchObject({ spec: name, interface: iface });
        expect(typeof app.handler).toBe('function');
      }
    }
  });

  it('parses module[:callable] with a dotted callable', () => {
    expect(parseSpec('app.mjs')).toEqual({ file: 'app.mjs', callable: null });
    expect(parseSpec('dir/app.mjs:default.fetch')).toEqual({ file: 'dir/app.mjs', callable: ['default', 'fetch'] });
    expect(() => parseSpec('app.mjs:')).toThrow(/expected a built-in name or path\/to\/module\[:callable\]/);
  });

  it('loads ESM, CommonJS, a default export, a named and a dotted callable', async () => {
    await expect(loadApp('test/fixtures/wsgi-app.mjs', 'wsgi', info)).resolves.toBeTruthy();
    await expect(loadApp('test/fixtures/wsgi-app.mjs:later', 'wsgi', info)).resolves.toBeTruthy();
    await expect(loadApp('test/fixtures/wsgi-app.mjs:nested.handlers.app', 'wsgi', info)).resolves.toBeTruthy();
    await expect(loadApp('test/fixtures/hono-app.mjs', 'fetch', info)).resolves.toBeTruthy();
    await expect(loadApp('test/fixtures/hono-app.mjs:default.fetch', 'fetch', info)).resolves.toBeTruthy();
    await expect(loadApp('test/fixtures/express-app.cjs', 'node', info)).resolves.toBeTruthy();
    // A name the module does not export is looked up on its default export (CommonJS objects).
    await expect(loadApp('test/fixtures/hono-app.mjs:fetch', 'fetch', info)).resolves.toBeTruthy();
    // Without an extension, like Node's own resolution of a bare file name.
    await expect(loadApp('test/fixtures/wsgi-app', 'wsgi', info)).resolves.toBeTruthy();
  });

  it('says clearly what is wrong and how to fix it', async () => {
    expect(await fail('test/fixtures/nope.mjs')).toMatch(
      /^cannot load app 'test\/fixtures\/nope\.mjs': file not found: \/.*\/test\/fixtures\/nope\.mjs \(paths are relative to the current directory, .*\); built-in apps are hello, slow, echo, stream, crash$/,
    );
    expect(await fail('test/fixtures/bad-exports.mjs:app')).toBe(
      "cannot load app 'test/fixtures/bad-exports.mjs:app': the module has no export 'app' — available exports are 'config', 'notAFunction'; write it as path/to/module:name",
    );
    expect(await fail('test/fixtures/bad-exports.mjs')).toMatch(/has no default export — name the callable as path\/to\/module:name \(available exports are 'config', 'notAFunction'\)/);
    expect(await fail('test/fixtures/bad-exports.mjs:notAFunction')).toBe(
      "cannot load app 'test/fixtures/bad-exports.mjs:notAFunction': 'notAFunction' is number 42, not a function — with --interface wsgi it must be app(environ, start_response)",
    );
    expect(await fail('test/fixtures/bad-exports.mjs:config.handler')).toMatch(/'config' has no property 'handler' — it has 'port'/);
    // Syntax errors (with file:line) are checked through the real CLI in test/integration/app-load.test.ts:
    // under vitest, import() goes through Vite's transform, which words them its own way.
    expect(await fail('test/fixtures/bad-throws-on-load.mjs')).toMatch(/importing .*bad-throws-on-load\.mjs failed: this module refuses to load$/);
    for (const m of [await fail('test/fixtures/nope.mjs'), await fail('test/fixtures/bad-syntax.mjs')]) expect(m).not.toContain('\n');
    expect(await fail('test/fixtures/bad-exports.mjs:config', 'fetch')).toMatch(/'config' is an object \(Object\), not a function — with --interface fetch it must be a \(Request\) => Response handler, or an object with a fetch method/);
  });
});
