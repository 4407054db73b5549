// The window loads the renderer from forkscope://app/ rather than file://: a standard, secure
// origin of its own, and responses that carry the Content-Security-Policy header
// (Electron's security checklist: prefer a custom protocol to file://).
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { contentType, resolveStatic } from '../web/static';

export const APP_SCHEME = 'forkscope';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer from `rendererDir` on forkscope://app/, each response with `csp`. */
export function serveRenderer(rendererDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, (request) => respond(rendererDir, csp, request.url));
}

export async function respond(rendererDir: string, csp: string, url: string): Promise<Response> {
  const { host, pathname } = new URL(url);
  const file = host === 'app' ? resolveStatic(rendererDir, pathname) : null;
  if (!file) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  const body = await readFile(file);
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': contentType(file),
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
    },
  });
}
