// `streamsoft up` (and `npm start`): the whole pipeline locally until Ctrl-C; a second Ctrl-C stops at once.
import type { Command } from 'commander';
import { parseConfig } from '../../core/validation';
import { logger } from '../../core/logger';
import { addUpOptions, upConfigSchema } from './config';
import { runUp } from './up';

export function registerUpCommand(program: Command): void {
  addUpOptions(
    program
      .command('up')
      .description(
        'Run the whole pipeline locally: stand-ins, schemas, producer, bronze/silver/gold jobs, dashboard',
      ),
  ).action(async (raw: Record<string, unknown>) => {
    const config = parseConfig(upConfigSchema, raw);
    const stop = new AbortController();
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        process.stderr.write(
          `\nstreamsoft up: second ${signal}, exiting now (children may be left running)\n`,
        );
        process.exit(130);
      }
      process.stderr.write(`\nstreamsoft up: ${signal}, stopping everything (again to exit at once)\n`);
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const code = await runUp(config, {
        signal: stop.signal,
        say: (line) => process.stdout.write(`streamsoft up: ${line}\n`),
        logger: logger('up'),
      });
      process.exitCode = code === 130 ? 0 : code;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
