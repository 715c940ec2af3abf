// Config loading for every command: flag > STREAMSOFT_* environment > default, validated once with zod.
import { Option } from 'commander';
import type { z } from 'zod';
import { ConfigError } from '../core/errors';
import { envNameForFlag } from '../core/env';

/** A commander option that also reads its STREAMSOFT_* environment variable. */
export function envOption(flags: string, description: string, defaultValue?: string | boolean): Option {
  const long = flags.split(/[ ,]+/).find((part) => part.startsWith('--'));
  if (long === undefined) throw new TypeError(`option ${flags} has no long name`);
  const option = new Option(flags, description).env(envNameForFlag(long));
  return defaultValue === undefined ? option : option.default(defaultValue);
}

function flagName(key: PropertyKey): string {
  return '--' + String(key).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/**
 * Validates raw commander options against a zod schema; the first problem becomes a one-line ConfigError
 * naming the flag, e.g. `--rate: must be greater than 0 (got "-5")`.
 */
export function parseConfig<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  const got = key === undefined ? undefined : raw[String(key)];
  const where = key === undefined ? 'configuration' : flagName(key);
  const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
  throw new ConfigError(`${where}: ${issue?.message ?? 'invalid value'}${shown}`);
}
