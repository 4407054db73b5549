// The lessons are data: every step has its words in both languages, every prediction names a
// check that reveals it, every listing line a lesson points at exists, and the checks decide on
// what the kernel reported — a world where nothing happened never passes.
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../src-renderer/lessons';
import type { Lesson, World } from '../../src-renderer/lessons/types';
import { emptySummary } from '../../src-main/supervisor/summary';
import { Journal, runNow } from '../../src-renderer/store/journal';
import { Window } from '../../src-renderer/lessons/checker';
import { catalogProblems } from '../helpers/catalogs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { excerpt } from '../../src-renderer/lessons/source';

const quietWorld = (): World => ({
  events: [],
  procs: [],
  zombies: { count: 0, pids: [] },
  queue: { length: 0, backlog: 0 },
  run: new Journal().run(),
  fires: [],
  now: 0,
});

describe.each(LESSONS.map((l) => [l.id, l] as [string, Lesson]))('lesson %s', (_id, lesson) => {
  it('has the same words in English and Chinese', () => {
    expect(catalogProblems(lesson.text.en, lesson.text['zh-CN'])).toEqual([]);
  });

  it('has a title, a body and what its kind needs for every step', () => {
    for (const s of lesson.steps) {
      const text = lesson.text.en.steps[s.id];
      expect(text, s.id).toBeDefined();
      expect(text.title && text.body, s.id).toBeTruthy();
      if (s.kind === 'do') expect(text.button, s.id).toBeTruthy();
      if (s.kind === 'check') expect(text.hint && text.passed, s.id).toBeTruthy();
      if (s.kind === 'predict') {
        expect(s.choices).toContain(s.answer);
        for (const c of s.choices) expect(text.choices?.[c], `${s.id}.${c}`).toBeTruthy();
        expect(text.why, s.id).toBeTruthy();
        expect(lesson.steps.some((x) => x.kind === 'check' && x.id === s.reveal), `${s.id} reveals ${s.reveal}`).toBe(true);
      }
      if (s.kind === 'check' && s.from) expect(lesson.steps.some((x) => x.kind === 'do' && x.id === s.from)).toBe(true);
    }
    expect(new Set(lesson.steps.map((s) => s.id)).size).toBe(lesson.steps.length);
  });

  it('points only at lines its listing has', () => {
    const n = lesson.code.lines.length;
    for (const line of Object.values(lesson.code.events)) expect(line).toBeLessThan(n);
    for (const s of lesson.steps) if (s.line != null) expect(s.line, s.id).toBeLessThan(n);
    expect(lesson.code.here.file).toMatch(/^server-core\/.+\.ts$/);
  });

  it('links to a function server-core really has (Here in forkscope)', () => {
    const { file, fn } = lesson.code.here;
    const found = excerpt(readFileSync(join(__dirname, '..', '..', file), 'utf8'), fn);
    expect(found, `${file} · ${fn}`).not.toBeNull();
    expect(found!.lines.join('\n')).toContain(fn);
  });

  it('never passes a check in a world where nothing happened', () => {
    for (const s of lesson.steps) if (s.kind === 'check') expect(s.goal(quietWorld()), s.id).not.toBe('pass');
  });
});

it('the lessons follow the tutorial in order, with stable ids', () => {
  expect(LESSONS.map((l) => l.id)).toEqual([
    'minimal-server',
    'gateway',
    'backlog',
    'process-per-connection',
    'descriptors',
    'zombies',
    'sigchld-eintr',
    'signals-not-queued',
    'prefork',
  ]);
  expect(emptySummary().queue.length).toBe(0);
});

it('signals are not queued: a zombie between its exit and its wait() is not one left behind', () => {
  const lesson = LESSONS.find((l) => l.id === 'signals-not-queued')!;
  const step = lesson.steps.find((s) => s.id === 'leftover');
  if (step?.kind !== 'check') throw new Error('no leftover check');
  const base = quietWorld();
  const e = (type: string, t: number, extra: object = {}) => ({ type, t, pid: 1, ...extra }) as unknown as World['events'][number];
  // Two children; both exited; one SIGCHLD so far, answered by one reap: the other is Z.
  const events = [e('fork', 0, { child: 2 }), e('fork', 1, { child: 3 }), e('exit', 50, { child: 2 }), e('exit', 51, { child: 3 }), e('sigchld', 52, { n: 1 }), e('reap', 53, { child: 2 })];
  const world = (now: number): World => ({
    ...base,
    events,
    now,
    run: { ...base.run, reap: 'wait' },
    zombies: { count: 1, pids: [3] },
    fires: [{ model: 'fork', total: 2, ms: 60, statuses: { 200: 2 } }],
  });
  expect(step.goal(world(100))).toBe('waiting'); // its SIGCHLD may still be on its way
  expect(step.goal(world(400))).toBe('pass'); // settled: it stays a zombie
});

it('a check sees the run clock move on when no event comes: a settled burst is judged without a later event', () => {
  const lesson = LESSONS.find((l) => l.id === 'signals-not-queued')!;
  const step = lesson.steps.find((s) => s.id === 'leftover');
  if (step?.kind !== 'check') throw new Error('no leftover check');
  const e = (type: string, t: number, extra: object = {}) => ({ type, t, pid: 1, ...extra }) as unknown as World['events'][number];
  const proc = (pid: number, ppid: number, state: string, role: string) => ({ pid, ppid, state, start: 0, cmd: 'node', fds: 4, rssKb: 1, role });
  const burst = [
    e('reap-policy', 0, { policy: 'wait' }),
    e('fork', 0, { child: 2 }),
    e('fork', 1, { child: 3 }),
    e('exit', 50, { child: 2 }),
    e('exit', 51, { child: 3 }),
    e('sigchld', 52, { n: 1 }),
    e('reap', 53, { child: 2 }),
    e('proc', 53, { procs: [proc(1, 0, 'S', 'master'), proc(3, 1, 'Z', 'worker')], zombies: 1, full: true }),
  ];
  const fire = { seq: 0, fire: { model: 'fork', total: 2, ms: 60, statuses: { 200: 2 } } };
  const judgeAfter = (quietMs: number) => {
    const journal = new Journal();
    // The newest event arrived `quietMs` ago, and nothing since.
    journal.applyBatch({ seq: 0, events: burst }, performance.now() - quietMs);
    return new Window(0, [fire]).judge(step.goal, journal);
  };
  expect(judgeAfter(0)).toBe('waiting'); // its SIGCHLD may still be on its way
  expect(judgeAfter(400)).toBe('pass'); // 400 ms of quiet, with no event to say so: settled
  expect(runNow({ t: 53, at: Number.POSITIVE_INFINITY })).toBe(53); // a replay's clock stands at its cursor
});
