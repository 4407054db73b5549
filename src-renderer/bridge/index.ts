// Which Bridge the renderer talks to: the preload's (Electron) when present, else the
// WebSocket one (browser mode, `forkscope web`). Both implement src-main/ipc/channels.ts.
import type { Bridge } from '../../src-main/ipc/channels';
import { createWsBridge, wsUrlFrom, type WsBridge } from './ws';

declare global {
  interface Window {
    /** Exposed by the preload through contextBridge (Electron only). */
    forkscope?: Bridge;
  }
}

export interface PickedBridge {
  bridge: Bridge;
  kind: 'electron' | 'websocket';
  /** Only the WebSocket bridge can drop and come back. */
  ws?: WsBridge;
}

export function pickBridge(win: Window = window): PickedBridge {
  if (win.forkscope) return { bridge: win.forkscope, kind: 'electron' };
  const ws = createWsBridge(wsUrlFrom(win.location));
  return { bridge: ws, kind: 'websocket', ws };
}
