// Every sentence the gateway and the app loader say: contract breaches (sent to the client in
// the 500 and put in the `error` event) and why an app could not be loaded (one line on
// stderr, exit 2). Kept together so a translation can follow.

const show = (v: unknown): string => {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v === 'object' ? `an object (${Object.prototype.toString.call(v).slice(8, -1)})` : `${typeof v} ${String(v)}`;
};

export const G = {
  // ── WSGI contract (PEP 3333) ─────────────────────────────────────────────
  wsgiStartTwice: (): string =>
    'WSGI contract broken: the app called start_response() a second time without exc_info. Call it once; call it again only from an error handler, passing the caught error as exc_info.',
  wsgiBodyBeforeStart: (): string =>
    'WSGI contract broken: the app produced body data before calling start_response(status, headers).',
  wsgiNoStart: (): string =>
    'WSGI contract broken: the app returned without calling start_response(status, headers).',
  wsgiBadStatus: (status: unknown): string =>
    `WSGI contract broken: malformed status ${show(status)}. start_response needs a status line such as '200 OK': three digits, a space, a reason phrase.`,
  wsgiBadHeaders: (detail: string): string =>
    `WSGI contract broken: bad response headers (${detail}). Pass a list of [name, value] string pairs, e.g. [['Content-Type', 'text/plain']].`,
  wsgiHopByHop: (name: string): string =>
    `WSGI contract broken: the app set the hop-by-hop header '${name}'. Connection handling belongs to the server (PEP 3333).`,
  wsgiBadResult: (value: unknown): string =>
    `WSGI contract broken: the app returned ${show(value)}. It must return an iterable of strings or bytes, e.g. [body] (or an async iterable, or a promise of one).`,
  wsgiBadChunk: (value: unknown): string =>
    `WSGI contract broken: the app's body contained ${show(value)}. Each item must be a string or bytes (Uint8Array).`,
  wsgiErrorsLine: (text: string): string => `wsgi.errors: ${text}`,

  // ── Fetch contract ───────────────────────────────────────────────────────
  fetchBadResult: (value: unknown): string =>
    `Fetch contract broken: the handler returned ${show(value)}. It must return a Response (or a promise of one), e.g. new Response('hi').`,

  // ── loading an app (module[:callable]) ───────────────────────────────────
  notFound: (spec: string, path: string, cwd: string, builtins: readonly string[]): string =>
    `cannot load app '${spec}': file not found: ${path} (paths are relative to the current directory, ${cwd}); built-in apps are ${builtins.join(', ')}`,
  syntaxError: (spec: string, where: string, message: string): string =>
    `cannot load app '${spec}': syntax error in ${where}: ${message} — fix the module and try again`,
  importFailed: (spec: string, path: string, message: string): string =>
    `cannot load app '${spec}': importing ${path} failed: ${message}`,
  noExport: (spec: string, name: string, available: string[]): string =>
    `cannot load app '${spec}': the module has no export '${name}' — available exports are ${available.length ? available.map((a) => `'${a}'`).join(', ') : '(none)'}; write it as path/to/module:name`,
  noDefault: (spec: string, available: string[]): string =>
    `cannot load app '${spec}': the module has no default export — name the callable as path/to/module:name (available exports are ${available.length ? available.map((a) => `'${a}'`).join(', ') : '(none)'})`,
  noMember: (spec: string, path: string, member: string, available: string[]): string =>
    `cannot load app '${spec}': '${path}' has no property '${member}'${available.length ? ` — it has ${available.map((a) => `'${a}'`).join(', ')}` : ''}`,
  notCallable: (spec: string, path: string, value: unknown, iface: string): string =>
    `cannot load app '${spec}': '${path}' is ${show(value)}, not a function — with --interface ${iface} it must be ${IFACE_SHAPE[iface] ?? 'a function'}${fetchHint(value, iface)}`,
  nodeStyleApp: (spec: string, path: string, framework: string, iface: string): string =>
    `cannot load app '${spec}': ${path === 'default' ? 'its default export' : `'${path}'`} is ${framework} app — a Node-style (req, res) handler, not ${IFACE_SHAPE[iface] ?? 'this interface'}: run it with --interface node`,
  badSpec: (spec: string): string =>
    `cannot load app '${spec}': expected a built-in name or path/to/module[:callable], e.g. app.mjs:default.fetch`,
};

/** An object with a fetch method (a Hono app) given to another interface: say which flag fits. */
function fetchHint(value: unknown, iface: string): string {
  const hasFetch = typeof value === 'object' && value !== null && typeof (value as { fetch?: unknown }).fetch === 'function';
  return hasFetch && iface !== 'fetch' ? '; it has a fetch method, so run it with --interface fetch' : '';
}

const IFACE_SHAPE: Record<string, string> = {
  wsgi: 'app(environ, start_response)',
  fetch: 'a (Request) => Response handler, or an object with a fetch method (such as a Hono app)',
  node: 'a (req, res) handler, such as an Express app',
};
