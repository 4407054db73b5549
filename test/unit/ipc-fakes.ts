// Test doubles for the wiring tests only (window, IPC, bridge): a SupervisorApi that records
// calls. The supervisor itself is tested against real processes in test/integration.
import { vi } from 'vitest';
import { emptySummary } from '../../src-main/supervisor/summary';
import { defaultRunConfig } from '../../src-main/supervisor/argv';
import type { Batch, RunConfig, Snapshot, Summary, SupervisorApi } from '../../src-main/supervisor/types';
import type { FireOptions, FireSummary } from '../../server-core/client/types';

export const goodConfig: RunConfig = { ...defaultRunConfig(), reap: 'none', port: 0 };

export const goodFire: FireOptions = {
  url: 'http://127.0.0.1:8888/hello',
  mode: 'burst',
  method: 'GET',
  headers: [['Accept', 'text/plain']],
  clients: 10,
  conns: 1,
  timeoutS: 10,
  allowRemote: false,
};

import { makeHeader } from '../../server-core/recording/format';

export { emptySummary };

export interface FakeSupervisor extends SupervisorApi {
  /** Sends a batch to every subscriber, as the real one does at most 60 times a second. */
  emit(batch: Batch): void;
  subscribers(): number;
}

export function fakeSupervisor(): FakeSupervisor {
  const listeners = new Set<(b: Batch) => void>();
  const snapshot = (): Snapshot => ({ summary: emptySummary(), events: [], nextSeq: 0 });
  const fireSummary: FireSummary = { total: 1, outcomes: { ok: 1 }, statuses: { '200': 1 }, latencyMs: null, bytes: 5, errors: [], ms: 3 };
  return {
    start: vi.fn(async (config: RunConfig) => ({ ...emptySummary(), running: true, config })),
    observe: vi.fn(async () => ({ ...emptySummary(), running: true })),
    stop: vi.fn(async () => {}),
    restart: vi.fn(async (config?: RunConfig) => ({ ...emptySummary(), running: true, config: config ?? null })),
    command: vi.fn(() => {}),
    fire: vi.fn(async () => fireSummary),
    subscribe: vi.fn((onBatch: (b: Batch) => void) => {
      listeners.add(onBatch);
      return { snapshot: snapshot(), unsubscribe: () => listeners.delete(onBatch) };
    }),
    summary: vi.fn(emptySummary),
    fds: vi.fn((pid: number) => ({ pid, t: 0, zombie: false, limit: 1024, fds: [{ fd: 0, kind: 'pipe' as const, detail: 'pipe:[1]', std: 'stdin' as const }] })),
    recording: vi.fn(() => ({
      header: makeHeader({ recorder: 'app', settings: null, platform: { os: 'linux', release: 'test', arch: 'x64', node: '20' }, startedMs: 0, origin: null }),
      events: [],
    })),
    shutdown: vi.fn(async () => {}),
    emit: (batch) => listeners.forEach((l) => l(batch)),
    subscribers: () => listeners.size,
  };
}
