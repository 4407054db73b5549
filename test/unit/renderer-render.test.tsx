// The panels rendered to HTML (no DOM here: react-dom/server): the test contract's
// data-testid values are present and carry the kernel's numbers.
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App } from '../../src-renderer/App';
import { StoreContext } from '../../src-renderer/store/react';
import { createAppStore, type AppStore } from '../../src-renderer/store/store';
import { applyEvent, emptySummary } from '../../src-main/supervisor/summary';
import { batch, Clock, config, oneRequest, proc, runStart, SUPERVISOR } from './renderer-fixtures';

function render(store: AppStore): string {
  // Server rendering reads the store's initial state; show the current one.
  store.getInitialState = store.getState;
  return renderToString(
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>,
  );
}

function count(html: string, re: RegExp): number {
  return html.match(new RegExp(re.source, 'g'))?.length ?? 0;
}

describe('App', () => {
  it('has every control of the test contract and a clear empty state before the first start', () => {
    const html = render(createAppStore(null));
    for (const id of ['zombie-count', 'queue-length', 'fire-button', 'burst-clients', 'burst-conns', 'reap-policy', 'model-select', 'server-start', 'server-stop', 'empty-state'])
      expect(html, id).toContain(`data-testid="${id}"`);
    expect(html).toMatch(/<select[^>]*data-testid="reap-policy"/);
    expect(html).toMatch(/<select[^>]*data-testid="model-select"/);
    expect(html).toContain('fork + exec (posix_spawn)');
    expect(html).toContain('Node cannot fork() itself');
  });

  it('draws the kernel’s zombies as process nodes and the count beside the master’s account', () => {
    const c = new Clock();
    const store = createAppStore(null);
    const zombies = [301, 302, 303].map((pid) => proc(pid, 'worker', 'Z'));
    const events = [
      ...runStart(c),
      ...oneRequest(c, 0, 1, 301, 50001),
      c.ev('exit', { child: 301, via: 'sigchld' }),
      c.ev('proc', { pid: SUPERVISOR, procs: [...zombies, proc(304, 'worker', 'R')], zombies: 3, full: false }),
      c.ev('queue', { length: 2, backlog: 5 }),
    ];
    store.getState().receive([batch(0, events)], 0);
    const html = render(store);
    expect(html).toMatch(/data-testid="zombie-count">3</);
    expect(html).toMatch(/data-testid="queue-length">2</);
    expect(count(html, /data-testid="process-node"[^>]*data-state="zombie"/)).toBe(3);
    expect(html).toMatch(/data-testid="process-node" data-pid="304" data-state="running"/);
    expect(html).toContain('1 exited but not reaped');
    expect(html).not.toContain('data-testid="empty-state"');
    expect(html).toContain('data-testid="transcript-entry"');
  });

  it('warns when the master and the kernel disagree, and when the master dies unasked', () => {
    const c = new Clock();
    const store = createAppStore(null);
    store.getState().receive(
      [
        batch(0, [
          ...runStart(c),
          c.ev('divergence', { pid: SUPERVISOR, what: 'zombies', master: 3, kernel: 5 }),
          c.ev('master-exit', { pid: SUPERVISOR, code: null, signal: 'SIGKILL', stderr: ['last words'], expected: false, message: 'the server (pid 200) was killed by SIGKILL' }),
        ]),
      ],
      0,
    );
    const html = render(store);
    expect(html).toContain('data-testid="master-exit-banner"');
    expect(html).toContain('killed by SIGKILL');
    expect(html).toContain('last words');
    // The run is over: its divergence went with it (the supervisor's reducer clears it).
    expect(html).not.toContain('data-testid="divergence-banner"');

    const live = createAppStore(null);
    live.getState().receive([batch(0, [...runStart(c), c.ev('divergence', { pid: SUPERVISOR, what: 'zombies', master: 3, kernel: 5 })])], 0);
    expect(render(live)).toMatch(/data-testid="divergence-banner"[\s\S]*master says 3, \/proc says 5/);
  });

  it('a stopped server: the accept queue says "not listening", not also "empty"', () => {
    const c = new Clock();
    const store = createAppStore(null);
    store.getState().receive([batch(0, [...runStart(c), c.ev('master-exit', { pid: SUPERVISOR, code: 0, signal: null, stderr: [], expected: true })])], 0);
    const html = render(store);
    expect(html).toContain('Not listening');
    expect(html).not.toContain('Empty: every finished handshake');
    expect(html).not.toContain('6 slots');
  });

  it('a fire result counts answers by status class — eleven 503s are not "ok 11" — and says how long they waited in the accept queue', () => {
    const store = createAppStore(null);
    store.setState({
      lastResult: {
        total: 11,
        outcomes: { ok: 11 },
        statuses: { '503': 11 },
        classes: { '5xx': 11 },
        latencyMs: { p50: 2010, p90: 2012, p99: 2013, max: 2013 },
        waitMs: { p50: 2008, max: 2011, n: 11 },
        queueMs: { p50: 2001, max: 2004, n: 11 },
        bytes: 1000,
        errors: [],
        ms: 2100,
      },
    });
    const html = render(store);
    expect(html).toMatch(/data-class="5xx"[^>]*>11 × 5xx server error \(503 ×11\)</);
    expect(html).toContain('Waited in the accept queue: p50 2.00 s · max 2.00 s (11 of 11 connections)');
    expect(html.replace(/<!-- -->/g, '')).not.toMatch(/>ok 11</);
    expect(html.replace(/<!-- -->/g, '')).toContain('>answered 11<');
  });

  it('a page opened while a server runs shows the settings it runs with, not the defaults', () => {
    const c = new Clock();
    const store = createAppStore(null);
    const events = runStart(c);
    const summary = emptySummary();
    const cfg = { ...config, model: 'iterative' as const, app: 'slow', backlog: 2, childKeepsListener: true, nofile: 64 };
    (events[0] as { config?: unknown }).config = cfg;
    for (const e of events) applyEvent(summary, e);
    store.getState().receiveSnapshot({ summary, events, nextSeq: events.length }, 0);
    const form = store.getState().form;
    expect(form).toMatchObject({ model: 'iterative', appChoice: 'slow', backlog: '2', childKeepsListener: true, nofile: '64', reap: 'none' });
    const html = render(store);
    expect(html).toMatch(/<select[^>]*data-testid="model-select"[^>]*><option value="iterative"[^>]*selected=""/);
    // Nothing to restart for: the form is what runs.
    expect(html).not.toContain('Restart to apply');
  });
});
