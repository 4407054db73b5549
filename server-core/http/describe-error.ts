// An app's failure as one line for an `error` event: its message and, when known, where the
// app threw it (the first stack frame outside Node and forkscope).

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const frame = err.stack
    ?.split('\n')
    .slice(1)
    .map((l) => l.trim())
    .find((l) => l.startsWith('at ') && !l.includes('node:') && !l.includes('/server-core/') && !l.includes('dist-core/'));
  const where = frame?.match(/\(?((?:file:\/\/)?\/[^()]+:\d+:\d+)\)?$/)?.[1];
  return where ? `${err.name}: ${err.message} (at ${where})` : `${err.name}: ${err.message}`;
}
