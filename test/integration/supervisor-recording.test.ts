// The app's Save (issue 13): the supervisor writes its timeline — server, client and kernel
// events on one clock — as a recording. Read back, it holds the run; its HAR knows how long
// each connection waited in the accept queue, because the client's events are in it too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Har } from 'har-format';
import { buildHar } from '../../server-core/recording/har';
import { readRecordingFile } from '../../server-core/recording/read-file';
import type { ForkscopeEvent } from '../../server-core/events';
import { harErrors } from '../helpers/har';
import { config, fireOpts, makeSupervisor, ofType, shutdownAll, until } from './supervisor-helpers';

const dir = mkdtempSync(join(tmpdir(), 'forkscope-sup-rec-'));
afterEach(shutdownAll);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Supervisor.saveRecording', () => {
  it('a fork run with reaping off and a burst of 10: saved, read back, exported', async () => {
    const sup = makeSupervisor();
    const summary = await sup.start(config({ reap: 'none', app: 'slow', backlog: 2 }));
    expect(summary.running).toBe(true);
    const port = summary.master!.port;
    const fired = await sup.fire(fireOpts(port, { url: `http://127.0.0.1:${port}/hello?ms=100`, clients: 10, mode: 'burst' }));
    expect(fired.total).toBe(10);
    expect(await until(() => sup.summary().zombies.count === 10, 15_000)).toBe(true);
    sup.flush();

    const file = join(dir, 'app.forkscope.jsonl');
    const saved = await sup.saveRecording(file);
    expect(saved.dropped).toBe(0);

    const events: ForkscopeEvent[] = [];
    const r = await readRecordingFile(file, (e) => void events.push(e));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.damage).toBeNull();
    expect(r.header).toMatchObject({ recorder: 'app', dropped: 0, settings: { model: 'fork', reap: 'none', app: 'slow' } });
    expect(events).toHaveLength(saved.events);
    expect(events.map((e) => e.source)).toEqual(expect.arrayContaining(['server', 'client', 'kernel', 'supervisor']));
    // The kernel's word is in it: the last proc sample counts 10 zombies.
    expect(ofType(events, 'proc').at(-1)!.zombies).toBe(10);

    const har = buildHar(r.header, events) as Har;
    expect(harErrors(har)).toEqual([]);
    expect(har.log.entries).toHaveLength(10);
    expect(har.log.entries.every((e) => e.response.status === 200)).toBe(true);
    // With the client in the same timeline, blocked (the accept queue) and connect are known.
    for (const e of har.log.entries) {
      expect(e.timings.blocked).toBeGreaterThanOrEqual(0);
      expect(e.timings.connect).toBeGreaterThanOrEqual(0);
    }
    // Backlog 2 and ten clients at once: some waited in the queue while others were accepted.
    expect(Math.max(...har.log.entries.map((e) => e.timings.blocked ?? 0))).toBeGreaterThan(0);
  });
});
