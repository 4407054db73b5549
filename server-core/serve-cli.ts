// Placeholder: `forkscope serve` is built in issue 2.
import type { Command } from 'commander';
export function registerServe(program: Command): void {
  program.command('serve').description('run the server (not built yet)');
}
