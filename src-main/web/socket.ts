// One browser page's WebSocket: requests validated and dispatched to the supervisor, replies
// matched by id, and every supervisor batch pushed. Wire format: src-main/ipc/ws-protocol.ts.
import type { RawData, WebSocket } from 'ws';
import type { Batch, SupervisorApi } from '../supervisor/types';
import { errorMessage, type Dispatch } from '../ipc/dispatch';
import { WsRequestSchema } from '../ipc/schemas';
import type { WsClock, WsPush, WsReply } from '../ipc/ws-protocol';
import { getOrigin, now } from '../../server-core/clock';
import { strings } from './strings';

/** A page this far behind is cut off rather than let memory grow; it reloads and catches up. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Id used when a message is too broken to have one. */
export const NO_ID = -1;

export function attachSocket(ws: WebSocket, supervisor: SupervisorApi, dispatch: Dispatch): void {
  ws.send(JSON.stringify(clockMessage()));
  const sub = supervisor.subscribe((batch) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, strings.tooSlow);
      return;
    }
    ws.send(pushText(batch));
  });
  ws.on('close', () => sub.unsubscribe());
  ws.on('error', () => sub.unsubscribe());
  ws.on('message', (data, isBinary) => {
    void answer(ws, dispatch, data, isBinary);
  });
}

/** Every page gets the same Batch object: it is turned into text once, whatever the number of pages. */
const texts = new WeakMap<Batch, string>();

function pushText(batch: Batch): string {
  let text = texts.get(batch);
  if (text === undefined) {
    const push: WsPush = { push: 'timeline:batch', batch };
    text = JSON.stringify(push);
    texts.set(batch, text);
  }
  return text;
}

/** Where every event's `t` starts, so a page can put events on its own clock. */
export function clockMessage(): WsClock {
  return { push: 'clock', origin: getOrigin(), wallMs: Math.round((Date.now() - now()) * 1000) / 1000 };
}

async function answer(ws: WebSocket, dispatch: Dispatch, data: RawData, isBinary: boolean): Promise<void> {
  const request = parseRequest(data, isBinary);
  if ('error' in request) return reply(ws, request);
  try {
    reply(ws, { id: request.id, result: await dispatch(request.channel, request.arg) });
  } catch (err) {
    reply(ws, { id: request.id, error: errorMessage(err) });
  }
}

function parseRequest(data: RawData, isBinary: boolean): { id: number; channel: string; arg: unknown } | { id: number; error: string } {
  if (isBinary) return { id: NO_ID, error: strings.notJson };
  let json: unknown;
  try {
    json = JSON.parse(rawText(data));
  } catch {
    return { id: NO_ID, error: strings.notJson };
  }
  const envelope = WsRequestSchema.safeParse(json);
  if (!envelope.success) {
    const id = typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: number }).id : NO_ID;
    return { id, error: `bad message: ${envelope.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}` };
  }
  return envelope.data;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function reply(ws: WebSocket, message: WsReply): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
