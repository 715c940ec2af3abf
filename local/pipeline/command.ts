// `streamsoft up` (and `npm start`): the whole pipeline locally until Ctrl-C, SIGTERM, SIGHUP or a closed
// output pipe (`| head -1`, a `| tee` interrupted); a second signal exits at once, and up's reaper stops
// what is left.
import type { Command } from 'commander';
import path from 'node:path';
import { parseConfig } from '../../core/validation';
import { fileLogger } from '../../core/logger';
import { dataDirLayout } from '../../core/paths';
import { addUpOptions, upConfigSchema } from './config';
import { watchOutputClosed } from './output-watch';
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
    let outputClosed = false;
    // A closed pipe makes every write fail with EPIPE (Node ignores SIGPIPE): stop quietly, write nothing.
    const onOutputError = (error: NodeJS.ErrnoException): void => {
      if (error.code !== 'EPIPE') throw error;
      outputClosed = true;
      stop.abort();
    };
    process.stdout.on('error', onOutputError);
    process.stderr.on('error', onOutputError);
    // ... and noticed the moment it happens, not at the next line (minutes away before the first gold rows).
    const outputWatch = watchOutputClosed({
      onClosed: () => {
        outputClosed = true;
        stop.abort();
      },
    });
    const write = (stream: NodeJS.WriteStream, text: string): void => {
      if (!outputClosed) stream.write(text);
    };
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        write(process.stderr, `\nstreamsoft up: second ${signal}, exiting now (the reaper stops the rest)\n`);
        process.exit(130);
      }
      write(process.stderr, `\nstreamsoft up: ${signal}, stopping everything (again to exit at once)\n`);
      stop.abort();
    };
    const signalNames: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const name of signalNames) process.on(name, onSignal);
    try {
      const code = await runUp(config, {
        signal: stop.signal,
        say: (line) => write(process.stdout, `streamsoft up: ${line}\n`),
        // JSON log lines go to a file; the terminal shows one human line per milestone.
        logger: fileLogger('up', path.join(dataDirLayout(path.resolve(config.dataDir)).logs, 'up.log')),
      });
      process.exitCode = code === 130 ? 0 : code;
    } finally {
      outputWatch.stop();
      for (const name of signalNames) process.off(name, onSignal);
    }
  });
}
