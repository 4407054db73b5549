// User-facing strings of browser mode (`forkscope web`), kept together so a translation can follow.
export const strings = {
  ready: (url: string) => `forkscope web: ${url}`,
  building: 'forkscope web: building the app with electron-vite (first run or sources changed)…',
  buildFailed: (code: number | null) => `forkscope web: building the app failed (electron-vite exited with ${code}); run \`npx electron-vite build\` to see why`,
  badPort: (port: string) => `forkscope web: --port must be a whole number from 0 to 65535, not ${JSON.stringify(port)}`,
  portInUse: (port: number) => `forkscope web: port ${port} is already in use; choose another with --port N, or --port 0 for any free port`,
  cannotListen: (why: string) => `forkscope web: cannot listen: ${why}`,
  cannotOpen: (file: string, why: string) => `forkscope web: cannot open the recording ${file}: ${why} — give the path of a *.forkscope.jsonl file`,
  crashed: (why: string) => `forkscope web: stopped after an unexpected error: ${why}`,
  stopped: (what: string) => `forkscope web: ${what}`,
  forbiddenHost: 'forbidden: forkscope answers only to 127.0.0.1, localhost or [::1] on its own port\n',
  forbiddenOrigin: 'forbidden: a page from another site may not use forkscope\n',
  needToken: 'forbidden: open the address printed by `forkscope web`, including its ?token=…\n',
  notFound: 'not found\n',
  methodNotAllowed: 'method not allowed\n',
  notJson: 'bad message: not a JSON text frame',
  tooSlow: 'the page fell too far behind the event stream; reload to catch up',
} as const;
