// One dispatch table from channel to supervisor call (Node cluster's message-handler style),
// shared by Electron IPC and the browser WebSocket. Messages are validated before any handler runs.
import type { Snapshot, SupervisorApi } from '../supervisor/types';
import { recordingText } from '../../server-core/recording/format';
import type { InvokeArg, InvokeChannel, InvokeResult, OpenedFile } from './channels';
import { parseInvoke } from './schemas';

export type Handlers = { [C in InvokeChannel]: (arg: InvokeArg<C>) => Promise<InvokeResult<C>> };

/** A message the schemas refused: never reached the supervisor. */
export class BadMessageError extends Error {
  override readonly name = 'BadMessageError';
}

/** `opened`: the recording named on the command line (`--open FILE`), read when a page asks. */
export function supervisorHandlers(supervisor: SupervisorApi, opened: () => Promise<OpenedFile | null> = async () => null): Handlers {
  return {
    'server:start': (config) => supervisor.start(config),
    'observe:start': (config) => supervisor.observe(config),
    'server:stop': async () => {
      await supervisor.stop();
      return null;
    },
    'server:restart': (config) => supervisor.restart(config),
    'server:command': async (cmd) => {
      supervisor.command(cmd);
      return null;
    },
    'client:fire': (options) => supervisor.fire(options),
    'timeline:snapshot': async () => snapshotOf(supervisor),
    'process:fds': async ({ pid }) => supervisor.fds(pid),
    'recording:get': async () => {
      const { header, events } = supervisor.recording();
      return { text: recordingText(header, events), events: events.length, dropped: header.dropped };
    },
    'recording:opened': () => opened(),
  };
}

/** The supervisor hands out a snapshot with each subscription; take one and leave. */
function snapshotOf(supervisor: SupervisorApi): Snapshot {
  const sub = supervisor.subscribe(() => {});
  sub.unsubscribe();
  return sub.snapshot;
}

export type Dispatch = (channel: unknown, arg: unknown) => Promise<unknown>;

/** Validates, then calls the channel's handler. Rejects with BadMessageError for a refused message. */
export function createDispatch(handlers: Handlers): Dispatch {
  return async (channel, arg) => {
    const msg = parseInvoke(channel, arg);
    if (!msg.ok) throw new BadMessageError(msg.error);
    // The schemas made channel and arg agree; TypeScript cannot follow the pairing through the map.
    const handler = handlers[msg.channel] as (a: unknown) => Promise<unknown>;
    return handler(msg.arg);
  };
}

/** An error as one line for the renderer (stack traces stay in the main process). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
