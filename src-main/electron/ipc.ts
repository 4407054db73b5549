// Electron IPC wired from the one channel map: a handler per channel, each message validated
// (schemas.ts) before the supervisor sees it, and supervisor batches pushed to the window.
import { ipcMain, type IpcMainInvokeEvent, type WebContents, type WebFrameMain } from 'electron';
import type { SupervisorApi } from '../supervisor/types';
import type { OpenedFile, PushChannels } from '../ipc/channels';
import { createDispatch, errorMessage, supervisorHandlers } from '../ipc/dispatch';
import { INVOKE_CHANNELS } from '../ipc/schemas';
import { strings } from './strings';

export const BATCH_CHANNEL: keyof PushChannels = 'timeline:batch';

export interface IpcOptions {
  supervisor: SupervisorApi;
  /** True for the app's own top-level frame; anything else is refused. */
  isTrustedSender(frame: WebFrameMain | null): boolean;
  /** The recording named with `--open FILE`, for the page that asks. */
  opened?: () => Promise<OpenedFile | null>;
}

/** Registers one handler per channel; returns a function that removes them. */
export function registerIpc({ supervisor, isTrustedSender, opened }: IpcOptions): () => void {
  const dispatch = createDispatch(supervisorHandlers(supervisor, opened));
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, arg: unknown) => {
      if (!isTrustedSender(event.senderFrame)) throw new Error(strings.refusedSender);
      try {
        return await dispatch(channel, arg);
      } catch (err) {
        // A plain Error with one line crosses the IPC boundary; the stack stays here.
        throw new Error(errorMessage(err));
      }
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Forwards every supervisor batch to the page until the returned function is called. */
export function pushBatches(supervisor: SupervisorApi, contents: WebContents): () => void {
  const sub = supervisor.subscribe((batch) => {
    if (!contents.isDestroyed()) contents.send(BATCH_CHANNEL, batch);
  });
  return () => sub.unsubscribe();
}

/**
 * A frame is trusted when it is a top-level frame showing a page of one of the app's origins.
 * Compared as text: Node's URL gives a custom scheme the origin "null".
 */
export function trustedFrame(origins: string[]): (frame: WebFrameMain | null) => boolean {
  const prefixes = origins.map((o) => `${o.replace(/\/+$/, '')}/`);
  return (frame) => {
    if (!frame || frame.parent !== null) return false;
    const url = frame.url;
    return prefixes.some((p) => url.startsWith(p));
  };
}
