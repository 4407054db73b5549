// Placeholder: `forkscope fire` is built in issue 4.
import type { Command } from 'commander';
export function registerFire(program: Command): void {
  program.command('fire').description('the built-in client (not built yet)');
}
