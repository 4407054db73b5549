// The one place the Electron shell and browser mode create the supervisor: plain Node code in
// src-main/supervisor, told which binary runs the master (Electron as Node in the desktop app;
// the supervisor's defaults otherwise — see supervisor/launch.ts).
import type { MasterLaunch } from '../supervisor/launch';
import { Supervisor } from '../supervisor/supervisor';
import type { SupervisorApi } from '../supervisor/types';

export function openSupervisor(launch: Partial<MasterLaunch> = {}): SupervisorApi {
  return new Supervisor({ launch });
}
