// Headless Chromium driven over the DevTools protocol directly (a WebSocket, `ws`), for the
// latency benchmark: unlike playwright, it enables no Network domain, so the browser does not
// copy every WebSocket frame of the page to the driver — the page runs as it would for a user.
// Chromium runs in its own process group with a throw-away profile; close() removes both.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { exitOrKill } from './lib.mjs';

/** One DevTools connection: commands by id, events by name, per target session. */
class Connection {
  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.waiting = new Map();
    this.listeners = new Set();
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== undefined) {
        const w = this.waiting.get(msg.id);
        if (!w) return;
        this.waiting.delete(msg.id);
        if (msg.error) w.reject(new Error(`${w.method}: ${msg.error.message}`));
        else w.resolve(msg.result);
      } else for (const l of this.listeners) l(msg);
    });
  }

  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject, method }));
  }
}

export async function launchChromium(executable, args = []) {
  const profile = mkdtempSync(join(tmpdir(), 'forkscope-cdp-'));
  const proc = spawn(executable, ['--headless', '--remote-debugging-port=0', `--user-data-dir=${profile}`, ...args, 'about:blank'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const endpoint = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium gave no DevTools address:\n${err}`)), 30_000);
    proc.stderr.setEncoding('utf8').on('data', (c) => {
      err += c;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited with ${code}:\n${err}`));
    });
  });
  const ws = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
  await once(ws, 'open');
  const conn = new Connection(ws);
  const exited = proc.exitCode === null ? once(proc, 'exit') : Promise.resolve();

  return {
    /** A new tab at `url`; resolves once it is attached (not loaded). */
    async newPage(url) {
      const { targetId } = await conn.send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await conn.send('Target.attachToTarget', { targetId, flatten: true });
      const errors = [];
      conn.listeners.add((msg) => {
        if (msg.sessionId === sessionId && msg.method === 'Runtime.exceptionThrown') errors.push(msg.params.exceptionDetails?.exception?.description ?? msg.params.exceptionDetails?.text);
      });
      await conn.send('Runtime.enable', {}, sessionId);
      await conn.send('Page.navigate', { url }, sessionId);
      const send = (method, params) => conn.send(method, params, sessionId);
      return {
        errors,
        send,
        /** Runs `fn(arg)` in the page and returns its (JSON) value. */
        async evaluate(fn, arg) {
          const r = await send('Runtime.evaluate', { expression: `(${fn.toString()})(${JSON.stringify(arg ?? null)})`, returnByValue: true, awaitPromise: true });
          if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
          return r.result.value;
        },
        async waitFor(fn, timeoutMs) {
          const deadline = Date.now() + timeoutMs;
          while (Date.now() < deadline) {
            if (await this.evaluate(fn).catch(() => false)) return;
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error(`timed out waiting for ${fn}`);
        },
        close: () => conn.send('Target.closeTarget', { targetId }).catch(() => {}),
      };
    },
    async close() {
      await conn.send('Browser.close').catch(() => {});
      await exitOrKill(proc.pid, exited, 5_000);
      ws.terminate();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
