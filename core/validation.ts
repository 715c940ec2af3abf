// The validation every configuration shares: zod field types with the one-line messages users see, and
// parseConfig, which turns the first problem into a ConfigError naming the flag. No CLI knowledge here, so
// infra/config.ts and the commands use the same rules.
import { z } from 'zod';
import { ConfigError } from './errors';

/** A share between 0 and 1 (`--dup-ratio`, `--bad-ratio`, ...). */
export const ratio = z.coerce.number().min(0, 'must be at least 0').max(1, 'must be at most 1');

export const positiveInt = z.coerce.number().int('must be a whole number').positive('must be greater than 0');

/** A whole number within documented limits, e.g. an AWS quota. */
export function intBetween(min: number, max: number): z.ZodCoercedNumber {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
}

export const positiveSeconds = z.coerce
  .number({ error: 'must be a positive number of seconds' })
  .int('must be a whole number of seconds')
  .positive('must be greater than 0');

const PORT_MESSAGE = 'must be a port number 1-65535';
const LISTEN_PORT_MESSAGE = 'must be a port number 0-65535';

/** A port to connect to or bind exactly. */
export const port = z.coerce
  .number({ error: PORT_MESSAGE })
  .int(PORT_MESSAGE)
  .min(1, PORT_MESSAGE)
  .max(65535, PORT_MESSAGE);

/** A port to listen on, where 0 asks the system for any free port. */
export const listenPort = z.coerce
  .number({ error: LISTEN_PORT_MESSAGE })
  .int(LISTEN_PORT_MESSAGE)
  .min(0, LISTEN_PORT_MESSAGE)
  .max(65535, LISTEN_PORT_MESSAGE);

function flagName(key: PropertyKey): string {
  return '--' + String(key).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/**
 * Validates raw options against a zod schema; the first problem becomes a one-line ConfigError naming the
 * flag, e.g. `--rate: must be greater than 0 (got "-5")`.
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
