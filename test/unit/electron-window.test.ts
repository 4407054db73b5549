// The window's security settings, with 'electron' mocked (no Electron binary on this machine).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

vi.mock('electron', async () => (await import('./electron-mock')).makeElectronMock());

const { FakeBrowserWindow } = await import('./electron-mock');
const electron = (await import('electron')) as unknown as ReturnType<(typeof import('./electron-mock'))['makeElectronMock']>;
const { createMainWindow, applySessionPolicy, webPreferences } = await import('../../src-main/electron/window');
const { APP_URL, registerAppScheme, respond, serveRenderer } = await import('../../src-main/electron/protocol');
const { contentSecurityPolicy } = await import('../../src-main/web/csp');

describe('main window', () => {
  beforeEach(() => {
    FakeBrowserWindow.created.length = 0;
  });

  it('is isolated, sandboxed and has no Node integration', () => {
    const win = createMainWindow({ preload: '/app/out/preload/index.cjs', url: APP_URL }) as unknown as InstanceType<typeof FakeBrowserWindow>;
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/out/preload/index.cjs',
    });
    expect(webPreferences('/x')).toEqual({ ...prefs, preload: '/x' });
    expect(win.loaded).toEqual(['forkscope://app/index.html']);
    expect(FakeBrowserWindow.created).toHaveLength(1);
  });

  it('blocks navigation, redirects, webviews and new windows', () => {
    const win = createMainWindow({ preload: '/p.cjs', url: APP_URL }) as unknown as InstanceType<typeof FakeBrowserWindow>;
    const wc = win.webContents;
    expect(wc.fire('will-navigate', { url: 'https://evil.example/' })).toBe(true);
    expect(wc.fire('will-navigate', { url: 'forkscope://app/other.html' })).toBe(true);
    expect(wc.fire('will-redirect', { url: 'https://evil.example/' })).toBe(true);
    expect(wc.fire('will-attach-webview', {}, {})).toBe(true);
    expect(wc.windowOpenHandler).not.toBeNull();
    expect(wc.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('sends a strict Content-Security-Policy on every response and denies permissions', () => {
    const csp = contentSecurityPolicy();
    const ses = electron.session.defaultSession;
    applySessionPolicy(ses as never, csp);
    expect(ses.headerListeners).toHaveLength(1);
    let out: { responseHeaders: Record<string, string[]> } | undefined;
    ses.headerListeners[0]({ responseHeaders: { 'content-type': ['text/html'] } }, (r: typeof out) => (out = r));
    expect(out!.responseHeaders['Content-Security-Policy']).toEqual([csp]);
    expect(out!.responseHeaders['content-type']).toEqual(['text/html']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    let granted: boolean | undefined;
    ses.permissionRequest!({}, 'media', (g: boolean) => (granted = g));
    expect(granted).toBe(false);
    expect(ses.permissionCheck!({}, 'notifications')).toBe(false);
  });

  it('serves the renderer from forkscope://app with the CSP header, nothing outside it', async () => {
    registerAppScheme();
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'forkscope', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-renderer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    serveRenderer(dir, 'default-src none');
    expect(electron.protocol.handle).toHaveBeenCalledWith('forkscope', expect.any(Function));
    const ok = await respond(dir, "default-src 'none'", 'forkscope://app/index.html');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(ok.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await ok.text()).toContain('<title>t</title>');
    expect((await respond(dir, 'x', 'forkscope://app/../../etc/passwd')).status).toBe(404);
    expect((await respond(dir, 'x', 'forkscope://app/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await respond(dir, 'x', 'forkscope://other/index.html')).status).toBe(404);
  });
});
