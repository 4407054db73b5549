// The built-in apps, by the name `forkscope serve NAME` takes.
import { crashApp } from './crash';
import { echo } from './echo';
import { hello } from './hello';
import { slow } from './slow';
import { stream } from './stream';
import type { BuiltinApp } from './types';

export type { BuiltinApp } from './types';
export { HELLO_TEXT } from './hello';

export const builtinApps: Readonly<Record<string, BuiltinApp>> = {
  hello,
  slow,
  echo,
  stream,
  crash: crashApp,
};

export const builtinNames: readonly string[] = Object.keys(builtinApps);

export function isBuiltin(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(builtinApps, name);
}
