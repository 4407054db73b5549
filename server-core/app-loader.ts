// Loading the app to serve, the way the tutorial's server takes 'module:callable' on its command
// line: a built-in name (hello, slow, echo, stream, crash) or path/to/module[:callable], where
// the callable may be a dotted path (app.mjs:default.fetch) and defaults to the default export.
// ESM and CommonJS both load through import(). Every failure is one sentence saying what is
// wrong and how to fix it (serve prints it on stderr and exits 2).
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinApps, builtinNames, isBuiltin } from './apps/index';
import type { Interface } from './events';
import { onNodeHttp } from './gateway/exchange';
import { fetchGateway, type FetchHandler } from './gateway/fetch';
import { nodeHandler, type NodeStyleApp } from './gateway/node';
import { G } from './gateway/strings';
import { wsgiGateway, type WsgiApp } from './gateway/wsgi';
import type { GatewayInfo, LoadedApp } from './http/types';

export async function loadApp(spec: string, iface: Interface, info: GatewayInfo): Promise<LoadedApp> {
  if (isBuiltin(spec)) return adapt(spec, builtinApps[spec][iface], iface, info);
  const { file, callable } = parseSpec(spec);
  const path = findModule(spec, file);
  const mod = await importModule(spec, path);
  const app = pickCallable(spec, mod, callable, iface);
  return adapt(spec, app, iface, info);
}

/**
 * Wraps an app of the given style for the server: for WSGI and fetch apps their gateway, which
 * the connection state machine (http/connection.ts) runs, and a (req, res) handler for Node's
 * http server (node-style apps; for the others only the tests use it, as a reference).
 */
export function adapt(spec: string, app: (...args: never[]) => unknown, iface: Interface, info: GatewayInfo): LoadedApp {
  switch (iface) {
    case 'wsgi':
    case 'fetch': {
      const gateway = iface === 'wsgi' ? wsgiGateway(app as unknown as WsgiApp, info) : fetchGateway(app as unknown as FetchHandler, info);
      return { spec, interface: iface, handler: onNodeHttp(gateway), gateway };
    }
    case 'node':
      // Express and friends need Node's own request and response objects.
      return { spec, interface: iface, handler: nodeHandler(app as unknown as NodeStyleApp) };
  }
}

const CALLABLE = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** 'app.mjs:default.fetch' → file 'app.mjs', callable ['default', 'fetch']. */
export function parseSpec(spec: string): { file: string; callable: string[] | null } {
  const colon = spec.lastIndexOf(':');
  if (colon < 0) return { file: spec, callable: null };
  const file = spec.slice(0, colon);
  const name = spec.slice(colon + 1);
  if (!file || !CALLABLE.test(name)) throw new Error(G.badSpec(spec));
  return { file, callable: name.split('.') };
}

/** The module's absolute path; like Node's own resolution, `app` also finds app.mjs, app.js, app.cjs. */
function findModule(spec: string, file: string): string {
  const cwd = process.cwd();
  const abs = resolve(cwd, file.startsWith('file://') ? fileURLToPath(file) : file);
  for (const candidate of [abs, `${abs}.mjs`, `${abs}.js`, `${abs}.cjs`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(G.notFound(spec, abs, cwd, builtinNames));
}

type Namespace = Record<string, unknown>;

/**
 * A worker runs its bundle from V8's code cache (worker/loader.ts), and on Node 20 an import()
 * in cached code finds no module loader: the loader, an ordinary module, lends its own.
 */
const LENT_IMPORT = Symbol.for('forkscope.import');

function importUrl(url: string): Promise<unknown> {
  const lent = (globalThis as Record<symbol, unknown>)[LENT_IMPORT] as ((url: string) => Promise<unknown>) | undefined;
  // Else left as a real import() by the bundle (a run-time URL), so Node's own loader runs it.
  return lent ? lent(url) : import(/* @vite-ignore */ url);
}

async function importModule(spec: string, path: string): Promise<Namespace> {
  try {
    return (await importUrl(pathToFileURL(path).href)) as Namespace;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (e instanceof SyntaxError || e.name === 'SyntaxError') {
      throw new Error(G.syntaxError(spec, await syntaxLocation(e, path), e.message));
    }
    throw new Error(G.importFailed(spec, shortPath(path), firstLine(e.message)));
  }
}

/**
 * Where a syntax error is: Node puts 'file:///x/app.mjs:3' (ESM) or '/x/app.cjs:3' (CommonJS)
 * on the first line of the stack, before the source line and a caret.
 */
async function syntaxLocation(err: Error, path: string): Promise<string> {
  const m = /^(file:\/\/\S+?|\/\S+?):(\d+)\s*$/m.exec(err.stack ?? '') ?? /^(file:\/\/\S+?|\/\S+?):(\d+)\s*$/m.exec(await checkSyntax(path));
  if (m) {
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    return `${shortPath(file)}:${m[2]}`;
  }
  return shortPath(path);
}

/**
 * Node 20 keeps an ES module's syntax-error location out of the error object, so ask
 * `node --check` (the same V8 parser) for it. Only on this failure path, before any server runs.
 */
async function checkSyntax(path: string): Promise<string> {
  // Loaded here, not at the top: every worker loads this file, and child_process (with dgram
  // and its socket lists) would add ~1 ms to each worker's start for a path it never takes.
  const { spawnSync } = await import('node:child_process');
  const out = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 10_000 });
  return out.stderr ?? '';
}

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

function exportsOf(mod: Namespace): string[] {
  return Object.keys(mod).filter((k) => k !== '__esModule' && k !== 'module.exports').sort();
}

/** Walks the dotted callable from the module's exports and checks the end is callable. */
function pickCallable(spec: string, mod: Namespace, callable: string[] | null, iface: Interface): (...args: never[]) => unknown {
  const path = callable ?? ['default'];
  const [head, ...rest] = path;
  let value: unknown;
  if (head in mod && mod[head] !== undefined) value = mod[head];
  else if (isObjectish(mod.default) && head in mod.default) value = (mod.default as Namespace)[head]; // CommonJS exports the lexer missed
  else throw new Error(callable ? G.noExport(spec, head, exportsOf(mod)) : G.noDefault(spec, exportsOf(mod)));
  let parent: unknown = undefined;
  let walked = head;
  for (const member of rest) {
    if (!isObjectish(value) || !(member in value)) {
      throw new Error(G.noMember(spec, walked, member, isObjectish(value) ? Object.keys(value) : []));
    }
    parent = value;
    value = (value as Namespace)[member];
    walked += `.${member}`;
  }
  // A Fetch-style app is often an object with a fetch method (a Hono app, `export default { fetch }`).
  if (iface === 'fetch' && typeof value !== 'function' && isObjectish(value) && typeof (value as Namespace).fetch === 'function') {
    parent = value;
    value = (value as Namespace).fetch;
  }
  if (typeof value !== 'function') throw new Error(G.notCallable(spec, walked, value, iface));
  // An Express (or Connect) app is a function too, and would fail only on the first request
  // ("res.setHeader is not a function"): said now, with the flag that fits — as for a Hono app.
  const framework = nodeStyleFramework(value);
  if (framework && iface !== 'node') throw new Error(G.nodeStyleApp(spec, walked, framework, iface));
  // A method taken off its object (default.fetch) keeps its `this`.
  return parent !== undefined ? (value as (...a: never[]) => unknown).bind(parent) : (value as (...a: never[]) => unknown);
}

/** 'an Express' for an Express app, 'a Connect' for a Connect app; null for anything else. */
function nodeStyleFramework(fn: unknown): string | null {
  const f = fn as Record<string, unknown>;
  if (typeof f.use !== 'function' || typeof f.handle !== 'function') return null;
  // Express apps carry their settings and a `listen`; a bare Connect app has a stack.
  if (typeof f.listen === 'function' && typeof f.set === 'function' && typeof f.settings === 'object') return 'an Express';
  if (Array.isArray(f.stack)) return 'a Connect';
  return null;
}

function isObjectish(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}
