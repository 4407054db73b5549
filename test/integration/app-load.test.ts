// An app that fails to load: `forkscope serve` says in one line what is wrong and how to fix
// it (file not found, no such export, not a function, a syntax error with file:line, a module
// that throws), exits 2, and prints no stack trace. Node's own loader is at work here.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server';

const CASES: [string[], RegExp][] = [
  [
    ['test/fixtures/missing.mjs'],
    /^forkscope: cannot load app 'test\/fixtures\/missing\.mjs': file not found: \/\S+\/test\/fixtures\/missing\.mjs \(paths are relative to the current directory, \/\S+\); built-in apps are hello, slow, echo, stream, crash$/,
  ],
  [
    ['test/fixtures/bad-syntax.mjs'],
    /^forkscope: cannot load app 'test\/fixtures\/bad-syntax\.mjs': syntax error in test\/fixtures\/bad-syntax\.mjs:4: Unexpected token ';' — fix the module and try again$/,
  ],
  [
    ['test/fixtures/bad-syntax.cjs', '--interface', 'node'],
    /^forkscope: cannot load app 'test\/fixtures\/bad-syntax\.cjs': syntax error in test\/fixtures\/bad-syntax\.cjs:3: Unexpected token '\)' — fix the module and try again$/,
  ],
  [
    ['test/fixtures/bad-exports.mjs:app'],
    /^forkscope: cannot load app 'test\/fixtures\/bad-exports\.mjs:app': the module has no export 'app' — available exports are 'config', 'notAFunction'; write it as path\/to\/module:name$/,
  ],
  [['test/fixtures/bad-exports.mjs'], /has no default export — name the callable as path\/to\/module:name/],
  [['test/fixtures/bad-exports.mjs:notAFunction'], /'notAFunction' is number 42, not a function — with --interface wsgi it must be app\(environ, start_response\)$/],
  [['test/fixtures/bad-throws-on-load.mjs'], /importing test\/fixtures\/bad-throws-on-load\.mjs failed: this module refuses to load$/],
];

describe('forkscope serve: an app that cannot be loaded', () => {
  it.each(CASES)('serve %j → one clear line, exit 2', async (args, want) => {
    const { code, stdout, stderr } = await runCli(['serve', ...args, '--model', 'iterative', '--port', '0', '--json']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(want);
  });
});
