// `forkscope <command>`: serve (the server core), fire (the built-in client), observe (a server
// you wrote, watched from the kernel), web (the app in a browser), replay and export
// (recordings). Each command lives in its own module; this file only wires them.
import { Command, CommanderError } from 'commander';
import pkg from '../package.json';
import { cliWords } from './strings';
import { registerServe } from './serve-cli';
import { registerFire } from './client/fire-cli';
import { registerWeb } from './web-cli';
import { registerObserve } from './observe/observe-cli';
import { registerReplay } from './recording/replay-cli';
import { registerExport } from './recording/export-cli';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('forkscope')
    .description(cliWords.description)
    .version(pkg.version, '-V, --version', cliWords.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  registerServe(program, argv);
  registerFire(program);
  registerObserve(program);
  registerWeb(program);
  registerReplay(program);
  registerExport(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every usage error exits 2 after commander's one line.
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    throw err;
  }
}
