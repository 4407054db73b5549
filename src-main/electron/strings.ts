// User-facing strings of the Electron shell, kept together so a translation can follow.
export const strings = {
  windowTitle: 'forkscope — watch a real web server work',
  refusedSender: 'refused: the message did not come from the forkscope window',
  startFailed: (why: string) => `forkscope could not start: ${why}`,
  stopped: (what: string) => `forkscope: ${what}`,
} as const;
