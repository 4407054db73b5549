// Events as JSON text. The few a busy server emits for every connection and request are
// written field by field — on Node 20, JSON.stringify of a small object costs several times
// more than building the same text (docs/benchmarks.md), and a prefork worker under load
// spends more on it than on parsing the request. Everything else goes to JSON.stringify.
// The output is the same JSON, `type` first (the master finds a worker's line types by it).
import type { AcceptEvent, CloseEvent, ContractEvent, ForkscopeEvent, HeaderList, RequestEvent, ResponseEvent, TranscriptEvent } from './events';

/** Characters a JSON string can hold as they are: no quote, backslash, control character or surrogate. */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function str(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

function headerList(h: HeaderList): string {
  let out = '[';
  for (let i = 0; i < h.length; i++) out += `${i ? ',' : ''}[${str(h[i][0])},${str(h[i][1])}]`;
  return `${out}]`;
}

// Fails to compile when an event gains a field its writer below does not write.
type Fields<E> = Exclude<keyof E, 'source' | 'basis'>;
type Covers<E, K extends keyof E> = [Exclude<Fields<E>, K>] extends [never] ? true : false;
const covered: [
  Covers<AcceptEvent, 'type' | 'conn' | 'peer' | 'fd' | 't' | 'pid'>,
  Covers<RequestEvent, 'type' | 'conn' | 'method' | 'path' | 'version' | 'headers' | 'via' | 't' | 'pid'>,
  Covers<ResponseEvent, 'type' | 'conn' | 'status' | 'headers' | 'bytes' | 't' | 'pid'>,
  Covers<TranscriptEvent, 'type' | 'conn' | 'dir' | 'data' | 'encoding' | 'truncated' | 't' | 'pid'>,
  Covers<CloseEvent, 'type' | 'conn' | 't' | 'pid'>,
] = [true, true, true, true, true];
void covered;

export function eventJson(e: ContractEvent): string {
  // The supervisor's `source` is never set where events are made; `basis` only by observe.
  if (e.source !== undefined || e.basis !== undefined) return JSON.stringify(e);
  switch (e.type) {
    case 'request':
      return `{"type":"request","conn":${e.conn},"method":${str(e.method)},"path":${str(e.path)},"version":${str(e.version)},"headers":${headerList(e.headers)}${e.via !== undefined ? `,"via":"${e.via}"` : ''},"t":${e.t},"pid":${e.pid}}`;
    case 'response':
      return `{"type":"response","conn":${e.conn},"status":${e.status},"headers":${headerList(e.headers)},"bytes":${e.bytes},"t":${e.t},"pid":${e.pid}}`;
    case 'transcript':
      return `{"type":"transcript","conn":${e.conn},"dir":"${e.dir}","data":${str(e.data)},"encoding":"${e.encoding}","truncated":${e.truncated},"t":${e.t},"pid":${e.pid}}`;
    case 'accept':
      return `{"type":"accept","conn":${e.conn},"peer":{"address":${str(e.peer.address)},"port":${e.peer.port}}${e.fd !== undefined ? `,"fd":${e.fd}` : ''},"t":${e.t},"pid":${e.pid}}`;
    case 'close':
      return `{"type":"close","conn":${e.conn},"t":${e.t},"pid":${e.pid}}`;
    default:
      return JSON.stringify(e);
  }
}

/**
 * One line of JSON text back into an event; null when it is not one (not JSON, not an object,
 * or no string `type`, finite `t` and numeric `pid`). The supervisor reads a master's stdout and
 * every recording reader reads files with it.
 */
export function parseEventLine(line: string): ForkscopeEvent | null {
  if (line.charCodeAt(0) !== 123 /* { */) return null;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const e = v as { type?: unknown; t?: unknown; pid?: unknown };
  if (typeof e.type !== 'string' || typeof e.t !== 'number' || !Number.isFinite(e.t) || typeof e.pid !== 'number') return null;
  return v as ForkscopeEvent;
}
