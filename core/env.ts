// The one place that reads process.env: typed accessors for STREAMSOFT_* settings and debug flags.

export const ENV_PREFIX = 'STREAMSOFT_';

export function readEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Environment variable name for a flag: `--dup-ratio` → `STREAMSOFT_DUP_RATIO`. */
export function envNameForFlag(flag: string): string {
  return ENV_PREFIX + flag.replace(/^-+/, '').replace(/-/g, '_').toUpperCase();
}
