// The command line a learner types in "Watch a server", split into words as a shell would
// (quotes, backslashes) — but run without a shell, so the process forkscope starts is the
// server itself, not a shell around it, and nothing in the line is expanded or executed.
import { parse } from 'shell-quote';
import { strings } from './strings';

/** Words of `line`; throws an Error with one line for what a shell would have to do. */
export function splitCommand(line: string): string[] {
  // Variables stay as written ($HOME is passed on as the text "$HOME").
  const words = parse(line, (name) => `$${name}`);
  const argv: string[] = [];
  for (const w of words) {
    if (typeof w === 'string') argv.push(w);
    else if ('comment' in w) break;
    else if (w.op === 'glob') argv.push(w.pattern);
    else throw new Error(strings.notOneCommand(w.op));
  }
  if (!argv.length) throw new Error(strings.emptyCommand);
  return argv;
}
