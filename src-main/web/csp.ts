// The renderer's Content-Security-Policy, the same in the Electron window and in browser mode:
// scripts only from the app itself, no eval, no plugins, no framing, network only to the bridge.
export interface CspOptions {
  /** Extra sources the page may connect to, e.g. 'ws://127.0.0.1:PORT' for the browser bridge. */
  connect?: string[];
  /** A development server's origin (electron-vite dev): its scripts and hot-reload socket. */
  devServer?: string;
}

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const script = ["'self'"];
  const connect = ["'self'", ...(opts.connect ?? [])];
  if (opts.devServer) {
    // Vite's dev client injects an inline React-refresh preamble and talks over a WebSocket.
    script.push(opts.devServer, "'unsafe-inline'");
    connect.push(opts.devServer, opts.devServer.replace(/^http/, 'ws'));
  }
  return [
    "default-src 'none'",
    `script-src ${script.join(' ')}`,
    // React and the chart library set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
