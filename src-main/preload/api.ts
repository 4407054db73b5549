// What the preload exposes as `window.forkscope`: the Bridge (invoke + onBatch) and one function
// per message. Only the channels of the channel map pass; main validates every argument again.
// No zod here: a sandboxed preload is one small bundle, and main is where checking counts.
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { Bridge, InvokeArg, InvokeChannel, InvokeResult, PushChannels } from '../ipc/channels';
import type { Command } from '../../server-core/events';
import type { FireOptions, FireSummary } from '../../server-core/client/types';
import type { Batch, FdTable, ObserveConfig, RunConfig, Snapshot, Summary } from '../supervisor/types';

/** Kept in step with InvokeChannels by the compiler (a missing or extra key is an error). */
const CHANNELS = {
  'server:start': true,
  'observe:start': true,
  'server:stop': true,
  'server:restart': true,
  'server:command': true,
  'client:fire': true,
  'timeline:snapshot': true,
  'process:fds': true,
  'recording:get': true,
  'recording:opened': true,
} as const satisfies Record<InvokeChannel, true>;

const BATCH: keyof PushChannels = 'timeline:batch';

export interface ForkscopeApi extends Bridge {
  start(config: RunConfig): Promise<Summary>;
  observe(config: ObserveConfig): Promise<Summary>;
  stop(): Promise<null>;
  restart(config: RunConfig): Promise<Summary>;
  command(cmd: Command): Promise<null>;
  fire(options: FireOptions): Promise<FireSummary>;
  snapshot(): Promise<Snapshot>;
  fds(pid: number): Promise<FdTable>;
}

/** Electron prefixes remote errors with "Error invoking remote method 'x': Error: "; keep the reason. */
export function cleanRemoteError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, ''));
}

export function createApi(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): ForkscopeApi {
  const invoke = <C extends InvokeChannel>(channel: C, arg: InvokeArg<C>): Promise<InvokeResult<C>> => {
    if (typeof channel !== 'string' || !Object.hasOwn(CHANNELS, channel)) {
      return Promise.reject(new Error(`unknown channel ${String(channel)}`));
    }
    return (ipc.invoke(channel, arg) as Promise<InvokeResult<C>>).catch((err: unknown) => {
      throw cleanRemoteError(err);
    });
  };
  const onBatch = (listener: (batch: Batch) => void): (() => void) => {
    // The IPC event object (with its sender) never reaches the page.
    const handler = (_event: IpcRendererEvent, batch: Batch) => listener(batch);
    ipc.on(BATCH, handler);
    return () => {
      ipc.removeListener(BATCH, handler);
    };
  };
  return {
    invoke,
    onBatch,
    start: (config) => invoke('server:start', config),
    observe: (config) => invoke('observe:start', config),
    stop: () => invoke('server:stop', null),
    restart: (config) => invoke('server:restart', config),
    command: (cmd) => invoke('server:command', cmd),
    fire: (options) => invoke('client:fire', options),
    snapshot: () => invoke('timeline:snapshot', null),
    fds: (pid) => invoke('process:fds', { pid }),
  };
}
