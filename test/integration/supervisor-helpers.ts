// Shared by the supervisor's integration tests: a supervisor per test with guaranteed cleanup,
// configs on ephemeral ports, and small polling helpers (bounded in time).
import type { EventOf, EventType, ForkscopeEvent } from '../../server-core/events';
import { defaultFireOptions } from '../../server-core/client/engine';
import type { FireOptions } from '../../server-core/client/types';
import { defaultRunConfig } from '../../src-main/supervisor/argv';
import { Supervisor, type SupervisorOptions } from '../../src-main/supervisor/supervisor';
import type { RunConfig } from '../../src-main/supervisor/types';
import { childrenOf, processGroup } from '../helpers/proc';

const live = new Set<Supervisor>();

export function makeSupervisor(opts: SupervisorOptions = {}): Supervisor {
  const s = new Supervisor(opts);
  live.add(s);
  return s;
}

/** afterEach: shut every supervisor down (kills its groups, reaps everything). */
export async function shutdownAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.shutdown()));
  live.clear();
}

export function config(over: Partial<RunConfig> = {}): RunConfig {
  return { ...defaultRunConfig(), port: 0, ...over };
}

export function fireOpts(port: number, over: Partial<FireOptions> = {}): FireOptions {
  return defaultFireOptions({ url: `http://127.0.0.1:${port}/hello`, method: 'GET', timeoutS: 30, ...over });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `pred` holds (every 20 ms, at most `timeoutMs`); returns whether it did. */
export async function until(pred: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await sleep(20);
  }
  return pred();
}

export function ofType<T extends EventType>(events: ForkscopeEvent[], type: T): EventOf<T>[] {
  return events.filter((e) => e.type === type) as EventOf<T>[];
}

/** Processes left of a run: its process group, and our own children in it (zombies included). */
export function leftovers(pgid: number): number[] {
  const group = processGroup(pgid).map((p) => p.pid);
  const ours = childrenOf(process.pid)
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
  return [...new Set([...group, ...ours])];
}
