// The server and client forms as the user edits them (strings for number fields, so typing
// is never fought), and their conversion to the supervisor's RunConfig and FireOptions.
import { RANGES } from '../../server-core/ranges';
import type { FireOptions } from '../../server-core/client/types';
import type { Interface, Model, ReapPolicy } from '../../server-core/events';
import type { ObserveConfig, RunConfig } from '../../src-main/supervisor/types';
import { t } from '../i18n';

export interface ServerForm {
  model: Model;
  reap: ReapPolicy;
  /** A built-in app name, or 'custom' for customApp. */
  appChoice: string;
  customApp: string;
  interface: Interface;
  host: string;
  port: string;
  backlog: string;
  workers: string;
  maxRequests: string;
  /** Prefork: connections one worker serves at a time (1: gunicorn's sync workers). */
  workerConnections: string;
  parentKeepsConn: boolean;
  childKeepsListener: boolean;
  nofile: string;
  keepAlive: boolean;
  /** Blank = the server's default. */
  maxZombies: string;
  workerTimeoutS: string;
  readTimeoutS: string;
  bodyTimeoutS: string;
}

/** "Watch a server": a command line (and the folder to run it in) or a running pid. */
export interface ObserveForm {
  target: 'command' | 'pid';
  command: string;
  /** Blank = forkscope's own folder (where examples/ is). */
  cwd: string;
  pid: string;
  /** Blank = whichever port it listens on. */
  port: string;
}

/** The example servers a learner can start from the form (examples/, run from forkscope's folder). */
export const OBSERVE_EXAMPLES = ['iterative', 'backlog', 'fork-no-close', 'fork-no-reap', 'reap-one-per-signal', 'reap-loop'] as const;
export type ObserveExample = (typeof OBSERVE_EXAMPLES)[number];

export function exampleCommand(name: ObserveExample): string {
  return `python3 examples/${name}.py`;
}

export type ClientKind = 'request' | 'raw' | 'slow' | 'hold';

export interface ClientForm {
  kind: ClientKind;
  method: string;
  path: string;
  headers: string;
  body: string;
  clients: string;
  conns: string;
  raw: string;
  slowMs: string;
  sendNothing: boolean;
  holdS: string;
  timeoutS: string;
}

const MODELS: Model[] = ['iterative', 'fork', 'prefork'];
const POLICIES: ReapPolicy[] = ['none', 'wait', 'loop'];
const INTERFACES: Interface[] = ['wsgi', 'fetch', 'node'];
export const BUILTIN_APPS = ['hello', 'slow', 'echo', 'stream', 'crash'] as const;
export type BuiltinApp = (typeof BUILTIN_APPS)[number];

export function defaultServerForm(params?: URLSearchParams): ServerForm {
  const form: ServerForm = {
    model: 'fork',
    reap: 'loop',
    appChoice: 'hello',
    customApp: '',
    interface: 'wsgi',
    host: '127.0.0.1',
    port: '8888',
    backlog: '5',
    workers: '2',
    maxRequests: '0',
    workerConnections: '1',
    parentKeepsConn: false,
    childKeepsListener: false,
    nofile: '',
    keepAlive: false,
    maxZombies: '',
    workerTimeoutS: '',
    readTimeoutS: '',
    bodyTimeoutS: '',
  };
  if (!params) return form;
  // The page address may preset the form, e.g. ?port=0&model=iterative (tests use this).
  const model = params.get('model');
  if (model && (MODELS as string[]).includes(model)) form.model = model as Model;
  const reap = params.get('reap');
  if (reap && (POLICIES as string[]).includes(reap)) form.reap = reap as ReapPolicy;
  const iface = params.get('interface');
  if (iface && (INTERFACES as string[]).includes(iface)) form.interface = iface as Interface;
  const app = params.get('app');
  if (app) {
    if ((BUILTIN_APPS as readonly string[]).includes(app)) form.appChoice = app;
    else {
      form.appChoice = 'custom';
      form.customApp = app;
    }
  }
  for (const key of ['port', 'backlog', 'workers', 'maxRequests', 'workerConnections', 'nofile', 'maxZombies', 'workerTimeoutS', 'readTimeoutS', 'bodyTimeoutS'] as const) {
    const v = params.get(key);
    if (v != null && /^\d+$/.test(v)) form[key] = v;
  }
  return form;
}

export function defaultObserveForm(params?: URLSearchParams): ObserveForm {
  const form: ObserveForm = { target: 'command', command: exampleCommand('fork-no-reap'), cwd: '', pid: '', port: '' };
  // ?observe=COMMAND (tests, and links in docs) presets the command line.
  const command = params?.get('observe');
  if (command) form.command = command;
  return form;
}

export function toObserveConfig(form: ObserveForm): Result<ObserveConfig> {
  let port: number | undefined;
  if (form.port.trim() !== '') {
    const p = int(form.port, t('observe.port'), 1, RANGES.port.max);
    if (!p.ok) return p;
    port = p.value;
  }
  if (form.target === 'pid') {
    const pid = int(form.pid, t('observe.pid'), RANGES.pid.min, RANGES.pid.max);
    if (!pid.ok) return pid;
    return { ok: true, value: { pid: pid.value, ...(port !== undefined ? { port } : {}) } };
  }
  const command = form.command.trim();
  if (!command) return { ok: false, error: t('observe.commandMissing') };
  return { ok: true, value: { command, ...(form.cwd.trim() ? { cwd: form.cwd.trim() } : {}), ...(port !== undefined ? { port } : {}) } };
}

/**
 * The form as a running server was started (a page opened or reloaded while it runs shows its
 * settings, not the defaults). Fields the config leaves out keep what `base` has.
 */
export function formFromConfig(cfg: RunConfig, base: ServerForm): ServerForm {
  const builtin = (BUILTIN_APPS as readonly string[]).includes(cfg.app);
  const opt = (v: number | undefined): string => (v == null ? '' : String(v));
  return {
    ...base,
    model: cfg.model,
    reap: cfg.reap,
    appChoice: builtin ? cfg.app : 'custom',
    customApp: builtin ? base.customApp : cfg.app,
    interface: cfg.interface,
    host: cfg.host,
    port: String(cfg.port),
    backlog: String(cfg.backlog),
    workers: String(cfg.workers),
    maxRequests: String(cfg.maxRequests),
    workerConnections: cfg.workerConnections == null ? base.workerConnections : String(cfg.workerConnections),
    parentKeepsConn: cfg.parentKeepsConn,
    childKeepsListener: cfg.childKeepsListener,
    nofile: opt(cfg.nofile),
    keepAlive: cfg.keepAlive,
    maxZombies: opt(cfg.maxZombies),
    workerTimeoutS: opt(cfg.workerTimeoutS),
    readTimeoutS: opt(cfg.readTimeoutS),
    bodyTimeoutS: opt(cfg.bodyTimeoutS),
  };
}

export function defaultClientForm(): ClientForm {
  return {
    kind: 'request',
    method: 'GET',
    path: '/hello',
    headers: '',
    body: '',
    clients: '1',
    conns: '1',
    raw: 'GET /hello HTTP/1.1\nHost: 127.0.0.1\n\n',
    slowMs: '200',
    sendNothing: false,
    holdS: '5',
    timeoutS: '15',
  };
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** A whole number in [min, max]; `name` is the field's label as the form shows it. */
function int(v: string, name: string, min: number, max: number): Result<number> {
  const s = v.trim();
  if (!/^\d+$/.test(s)) return { ok: false, error: t('form.wholeNumber', { name }) };
  const n = Number(s);
  if (n < min || n > max) return { ok: false, error: t('form.between', { name, min, max }) };
  return { ok: true, value: n };
}

export function appOf(form: ServerForm): string {
  return form.appChoice === 'custom' ? form.customApp.trim() : form.appChoice;
}

export function toRunConfig(form: ServerForm): Result<RunConfig> {
  const port = int(form.port, t('controls.port'), RANGES.port.min, RANGES.port.max);
  if (!port.ok) return port;
  const backlog = int(form.backlog, t('controls.backlog'), RANGES.backlog.min, RANGES.backlog.max);
  if (!backlog.ok) return backlog;
  const workers = int(form.workers, t('controls.workers'), RANGES.workers.min, RANGES.workers.max);
  if (!workers.ok) return workers;
  const maxRequests = int(form.maxRequests, t('controls.maxRequests'), RANGES.maxRequests.min, RANGES.maxRequests.max);
  if (!maxRequests.ok) return maxRequests;
  let nofile: number | undefined;
  if (form.nofile.trim() !== '') {
    const n = int(form.nofile, t('controls.nofile'), RANGES.nofile.min, RANGES.nofile.max);
    if (!n.ok) return n;
    nofile = n.value;
  }
  const optional = (v: string, name: string, min: number, max: number): Result<number | undefined> => (v.trim() === '' ? { ok: true, value: undefined } : int(v, name, min, max));
  const maxZombies = optional(form.maxZombies, t('controls.maxZombies'), RANGES.maxZombies.min, RANGES.maxZombies.max);
  if (!maxZombies.ok) return maxZombies;
  const workerTimeoutS = optional(form.workerTimeoutS, t('controls.workerTimeout'), 1, RANGES.workerTimeoutS.max);
  if (!workerTimeoutS.ok) return workerTimeoutS;
  const readTimeoutS = optional(form.readTimeoutS, t('controls.readTimeout'), 1, RANGES.readTimeoutS.max);
  if (!readTimeoutS.ok) return readTimeoutS;
  const bodyTimeoutS = optional(form.bodyTimeoutS, t('controls.bodyTimeout'), 1, RANGES.bodyTimeoutS.max);
  if (!bodyTimeoutS.ok) return bodyTimeoutS;
  const workerConnections = int(form.workerConnections, t('controls.workerConnections'), RANGES.workerConnections.min, RANGES.workerConnections.max);
  if (!workerConnections.ok) return workerConnections;
  const app = appOf(form);
  if (!app) return { ok: false, error: t('form.appMissing') };
  return {
    ok: true,
    value: {
      model: form.model,
      reap: form.reap,
      app,
      interface: form.interface,
      host: form.host || '127.0.0.1',
      port: port.value,
      backlog: backlog.value,
      workers: workers.value,
      maxRequests: maxRequests.value,
      parentKeepsConn: form.parentKeepsConn,
      childKeepsListener: form.childKeepsListener,
      nofile,
      keepAlive: form.keepAlive,
      ...(maxZombies.value != null ? { maxZombies: maxZombies.value } : {}),
      ...(workerTimeoutS.value != null ? { workerTimeoutS: workerTimeoutS.value } : {}),
      ...(readTimeoutS.value != null ? { readTimeoutS: readTimeoutS.value } : {}),
      ...(bodyTimeoutS.value != null ? { bodyTimeoutS: bodyTimeoutS.value } : {}),
      ...(form.model === 'prefork' ? { workerConnections: workerConnections.value } : {}),
    },
  };
}

/** Clients × connections: a burst exactly when the product is above one. */
export function burstSize(form: ClientForm): { clients: number; conns: number; total: number } {
  const clients = Math.max(1, Math.min(1000, Number.parseInt(form.clients, 10) || 1));
  const conns = Math.max(1, Math.min(1000, Number.parseInt(form.conns, 10) || 1));
  return { clients, conns, total: clients * conns };
}

export function parseHeaders(text: string): Result<[string, string][]> {
  const out: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const at = line.indexOf(':');
    if (at <= 0) return { ok: false, error: t('form.badHeader', { line: line.trim() }) };
    out.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return { ok: true, value: out };
}

/** Raw text → bytes: each line ends with \r\n, as HTTP wants; \xNN escapes allowed. */
export function rawBytes(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const joined = lines.join('\r\n');
  return joined.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

function toBase64(binary: string): string {
  // Characters above 0xFF (typed Unicode) go as UTF-8.
  const bytes = new TextEncoder().encode(binary);
  const oneByte = [...binary].every((ch) => ch.charCodeAt(0) <= 0xff);
  if (oneByte) return btoa(binary);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function targetUrl(host: string, port: number, path: string): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const p = path.startsWith('/') ? path : `/${path}`;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}${p}`;
}

export function toFireOptions(form: ClientForm, target: { host: string; port: number }): Result<FireOptions> {
  const timeout = int(form.timeoutS, t('form.timeout'), 1, 600);
  if (!timeout.ok) return timeout;
  const headers = parseHeaders(form.headers);
  if (!headers.ok) return headers;
  const { clients, conns, total } = burstSize(form);
  const base: FireOptions = {
    url: targetUrl(target.host, target.port, form.path || '/'),
    mode: 'single',
    method: (form.method || 'GET').toUpperCase(),
    headers: headers.value,
    clients: 1,
    conns: 1,
    timeoutS: timeout.value,
    allowRemote: false,
  };
  if (form.body !== '') base.body = form.body;
  switch (form.kind) {
    case 'request':
      return { ok: true, value: total > 1 ? { ...base, mode: 'burst', clients, conns } : base };
    case 'raw':
      return { ok: true, value: { ...base, mode: 'raw', rawBase64: toBase64(rawBytes(form.raw)), clients, conns } };
    case 'slow': {
      const ms = int(form.slowMs, t('form.slowMs'), 1, 60_000);
      if (!ms.ok) return ms;
      return { ok: true, value: { ...base, mode: 'slow', slowMs: ms.value, sendNothing: form.sendNothing, clients, conns } };
    }
    case 'hold': {
      const s = int(form.holdS, t('form.holdS'), 1, 600);
      if (!s.ok) return s;
      return { ok: true, value: { ...base, mode: 'hold', holdS: s.value, ...(form.sendNothing ? { sendNothing: true } : {}), clients, conns } };
    }
  }
}
