// `forkscope export har FILE`: a recording's HTTP exchanges as HAR 1.2 on stdout.
import type { Command } from 'commander';
import type { ForkscopeEvent } from '../events';
import { buildHar } from './har';
import { readRecordingFile } from './read-file';
import { R } from './strings';

/** The event types a HAR is made of; the rest (proc samples, …) is not kept in memory. */
const HTTP_TYPES = new Set(['listening', 'accept', 'request', 'response', 'transcript', 'client-connect', 'client-connected', 'client-sent', 'client-received', 'client-done']);

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(R.help.export)
    .argument('<format>', R.help.exportFormat)
    .argument('<file>', R.help.exportFile)
    .action(async (format: string, file: string) => {
      if (format.toLowerCase() !== 'har') fail(R.unknownFormat(format));
      const events: ForkscopeEvent[] = [];
      const result = await readRecordingFile(file, (e) => {
        if (HTTP_TYPES.has(e.type)) events.push(e);
      });
      if (!result.ok) fail('refusal' in result ? R.refusal(file, result.refusal) : R.cannotRead(file, result.readError));
      if (result.damage) process.stderr.write(`forkscope: ${R.damage(file, result.damage)}\n`);
      const har = buildHar(result.header, events);
      if (!har.log.entries.length) process.stderr.write(`forkscope: ${R.noExchanges(file)}\n`);
      process.stdout.write(`${JSON.stringify(har, null, 2)}\n`);
    });
}

function fail(message: string): never {
  process.stderr.write(`forkscope: ${message}\n`);
  process.exit(2);
}
