// The supervisor's public surface, for the Electron window, the browser bridge, the renderer
// (the summary reducer only: it imports no Node module) and the benchmark.
export { Supervisor, explainExit, type SupervisorOptions } from './supervisor';
export { applyEvent, cloneSummary, emptySummary, emptyCounters } from './summary';
export { defaultRunConfig, serveArgs } from './argv';
export { defaultLaunch, findRoot, type MasterLaunch } from './launch';
export { Timeline, type TimelineOptions } from './timeline';
export { MasterStream } from './ingest';
export { MasterProcess } from './master';
export { LineSplitter, parseEvent } from './ndjson';
export { Observer, type ObserverOptions, type Observation } from '../observer/observer';
export type { Batch, Counters, RunConfig, Snapshot, Summary, SupervisorApi } from './types';
export { fire as fireClient, defaultFireOptions } from '../../server-core/client/engine';
export { getOrigin, now } from '../../server-core/clock';
