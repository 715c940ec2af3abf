// Config loading for every command: flag > STREAMSOFT_* environment > default, validated once with zod
// (core/validation.ts).
import { Option } from 'commander';
import { envNameForFlag } from '../core/env';

/** A commander option that also reads its STREAMSOFT_* environment variable. */
export function envOption(flags: string, description: string, defaultValue?: string | boolean): Option {
  const long = flags.split(/[ ,]+/).find((part) => part.startsWith('--'));
  if (long === undefined) throw new TypeError(`option ${flags} has no long name`);
  const option = new Option(flags, description).env(envNameForFlag(long));
  return defaultValue === undefined ? option : option.default(defaultValue);
}
