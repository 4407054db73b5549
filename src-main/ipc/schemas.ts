// Every message from the renderer is checked here before it reaches the supervisor, whether it
// came through Electron IPC or the browser WebSocket. The renderer is treated as untrusted:
// unknown keys, wrong types and out-of-range numbers are refused with a plain-English reason.
import { RANGES, type Range } from '../../server-core/ranges';
import { z } from 'zod';
import type { Command, Interface, Model, ReapPolicy } from '../../server-core/events';
import type { FireMode, FireOptions } from '../../server-core/client/types';
import type { ObserveConfig, RunConfig } from '../supervisor/types';
import type { InvokeArg, InvokeChannel } from './channels';

const MODELS = ['iterative', 'fork', 'prefork'] as const satisfies readonly Model[];
const REAP_POLICIES = ['none', 'wait', 'loop'] as const satisfies readonly ReapPolicy[];
const INTERFACES = ['wsgi', 'fetch', 'node'] as const satisfies readonly Interface[];
const FIRE_MODES = ['single', 'burst', 'raw', 'slow', 'hold'] as const satisfies readonly FireMode[];

/** The server started from the UI listens on this machine only. */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'] as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const ranged = (r: Range) => int(r.min, r.max);
/** Text without NUL bytes (they would cut a C string or an argv entry short). */
const text = (max: number) => z.string().max(max).refine((s) => !s.includes('\0'), 'must not contain NUL bytes');
const signalName = z.string().regex(/^SIG[A-Z0-9+-]{2,10}$/, 'a signal name such as SIGTERM');
/** A header field: a token name and a value without CR/LF (a raw request is the place for broken bytes). */
const header = z.tuple([
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/, 'a header name'),
  z.string().max(8192).regex(/^[^\r\n\0]*$/, 'a header value without CR, LF or NUL'),
]);

export const RunConfigSchema = z.strictObject({
  model: z.enum(MODELS),
  reap: z.enum(REAP_POLICIES),
  /** A built-in app name or `module:callable`. */
  app: text(1024).min(1),
  interface: z.enum(INTERFACES),
  host: z.enum(LOOPBACK_HOSTS),
  port: ranged(RANGES.port),
  backlog: ranged(RANGES.backlog),
  workers: ranged(RANGES.workers),
  maxRequests: ranged(RANGES.maxRequests),
  parentKeepsConn: z.boolean(),
  childKeepsListener: z.boolean(),
  nofile: ranged(RANGES.nofile).optional(),
  keepAlive: z.boolean(),
  maxZombies: ranged(RANGES.maxZombies).optional(),
  workerTimeoutS: z.number().min(RANGES.workerTimeoutS.min).max(RANGES.workerTimeoutS.max).optional(),
  readTimeoutS: z.number().min(RANGES.readTimeoutS.min).max(RANGES.readTimeoutS.max).optional(),
  bodyTimeoutS: z.number().min(RANGES.bodyTimeoutS.min).max(RANGES.bodyTimeoutS.max).optional(),
  workerConnections: ranged(RANGES.workerConnections).optional(),
}) satisfies z.ZodType<RunConfig>;

/**
 * "Watch a server": a command line (and a folder to run it in) or a pid, never both. The
 * command runs as the user running forkscope, exactly as if typed in a terminal — which is
 * why the bridge takes requests only from the app's own page, with its token, on loopback.
 */
export const ObserveConfigSchema = z
  .strictObject({
    command: text(4096).refine((s) => s.trim().length > 0, 'a command').optional(),
    cwd: text(4096).optional(),
    pid: ranged(RANGES.pid).optional(),
    port: int(1, RANGES.port.max).optional(),
  })
  .refine((c) => (c.command !== undefined) !== (c.pid !== undefined), { message: 'give a command or a pid, not both' })
  .refine((c) => c.cwd === undefined || c.command !== undefined, { message: 'a folder goes with a command', path: ['cwd'] }) satisfies z.ZodType<ObserveConfig>;

export const CommandSchema = z.discriminatedUnion('cmd', [
  z.strictObject({ cmd: z.literal('reap-now') }),
  z.strictObject({ cmd: z.literal('set-reap'), policy: z.enum(REAP_POLICIES) }),
  z.strictObject({ cmd: z.literal('kill'), pid: int(2, 1 << 22), signal: z.union([int(1, 64), signalName]) }),
  z.strictObject({ cmd: z.literal('release-fds') }),
  z.strictObject({ cmd: z.literal('stop') }),
]) satisfies z.ZodType<Command>;

const httpUrl = z
  .string()
  .max(4096)
  .refine((s) => {
    try {
      return new URL(s).protocol === 'http:';
    } catch {
      return false;
    }
  }, 'an http:// URL');

const base64 = z
  .string()
  .max(4 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 bytes');

export const FireOptionsSchema = z
  .strictObject({
    url: httpUrl,
    mode: z.enum(FIRE_MODES),
    method: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/, 'an HTTP method such as GET'),
    headers: z.array(header).max(200),
    body: z.string().max(1024 * 1024).optional(),
    clients: int(1, 1000),
    conns: int(1, 1000),
    maxConns: int(1, 10_000).optional(),
    rate: z.number().positive().max(100_000).optional(),
    rawBase64: base64.optional(),
    slowMs: int(0, 60_000).optional(),
    sendNothing: z.boolean().optional(),
    holdS: z.number().min(0).max(3600).optional(),
    timeoutS: z.number().positive().max(3600),
    // The UI fires at loopback only, as it serves there only; --allow-remote is the CLI's, on purpose.
    allowRemote: z.literal(false),
    eofGraceMs: int(0, 600_000).optional(),
    deadlineS: z.number().positive().max(86_400).optional(),
  })
  // A burst from the UI is a lesson, not a load test: keep it to what one machine survives.
  .refine((o) => o.clients * o.conns <= 10_000, { message: 'clients × conns must be at most 10,000', path: ['conns'] })
  .refine((o) => o.mode !== 'raw' || o.rawBase64 !== undefined, { message: 'raw mode needs rawBase64', path: ['rawBase64'] }) satisfies z.ZodType<FireOptions>;

/** Channels whose argument is nothing: accept null (or a missing arg over JSON) as null. */
const nothing = z.union([z.null(), z.undefined()]).transform(() => null);

/** One schema per renderer → main channel; the key set is the allow-list of channels. */
export const invokeArgSchemas: { [C in InvokeChannel]: z.ZodType<InvokeArg<C>, unknown> } = {
  'server:start': RunConfigSchema,
  'observe:start': ObserveConfigSchema,
  'server:stop': nothing,
  'server:restart': RunConfigSchema,
  'server:command': CommandSchema,
  'client:fire': FireOptionsSchema,
  'timeline:snapshot': nothing,
  'process:fds': z.strictObject({ pid: int(2, 1 << 22) }),
  'recording:get': nothing,
  'recording:opened': nothing,
};

export const INVOKE_CHANNELS = Object.keys(invokeArgSchemas) as InvokeChannel[];

export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.hasOwn(invokeArgSchemas, channel);
}

/** The browser-mode envelope (ws-protocol.ts WsRequest); `arg` is checked per channel afterwards. */
export const WsRequestSchema = z.strictObject({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(64),
  arg: z.unknown(),
});

export type ParsedInvoke = { [C in InvokeChannel]: { ok: true; channel: C; arg: InvokeArg<C> } }[InvokeChannel] | { ok: false; error: string };

/** Checks one renderer → main message. Never throws. */
export function parseInvoke(channel: unknown, arg: unknown): ParsedInvoke {
  if (!isInvokeChannel(channel)) return { ok: false, error: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` };
  const parsed = invokeArgSchemas[channel].safeParse(arg);
  if (!parsed.success) return { ok: false, error: `bad ${channel} message: ${describeIssues(parsed.error)}` };
  return { ok: true, channel, arg: parsed.data } as ParsedInvoke;
}

/** Zod's issues as one short line: "port: Too big: expected number to be <=65535; …". */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
