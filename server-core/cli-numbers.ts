// Numeric flags of the command line, checked the same way by every command: one clear line
// saying what was expected (commander turns it into a usage error, exit 2).
import { InvalidArgumentError } from 'commander';
import type { Range } from './ranges';
import { S } from './strings';

export function int(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(S.badNumber(flag, value, `a whole number from ${min} to ${max}`));
    }
    return n;
  };
}

export function seconds(flag: string, { min, max }: Range) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d*\.?\d+$/.test(value.trim()) || !(n >= min) || n > max) {
      throw new InvalidArgumentError(S.badNumber(flag, value, `a number of seconds from ${min} to ${max}`));
    }
    return n;
  };
}
