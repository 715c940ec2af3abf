// Structured logging: one pino root logger on stderr, namespaced children per component.
import pino, { type Logger } from 'pino';
import { readEnv } from './env';

export type { Logger };

let root: Logger | undefined;

function createRoot(): Logger {
  const level = readEnv('STREAMSOFT_LOG_LEVEL') ?? 'info';
  const pretty = process.stderr.isTTY && readEnv('STREAMSOFT_LOG_FORMAT') !== 'json';
  if (pretty) {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ level, base: undefined }, pino.destination(2));
}

export function logger(component: string, fields: Record<string, unknown> = {}): Logger {
  root ??= createRoot();
  return root.child({ component, ...fields });
}

/** A logger that drops everything, for unit tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** A logger that appends JSON lines to `file` (for commands whose terminal shows human lines only). */
export function fileLogger(component: string, file: string): Logger {
  const level = readEnv('STREAMSOFT_LOG_LEVEL') ?? 'info';
  return pino({ level, base: undefined }, pino.destination({ dest: file, mkdir: true, sync: true })).child({
    component,
  });
}
