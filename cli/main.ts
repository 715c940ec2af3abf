// Runs the CLI: turns StreamSoftErrors into one line on stderr and their exit code, never a stack trace.
import { CommanderError } from 'commander';
import { StreamSoftError } from '../core/errors';
import { buildProgram } from './program';

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its one-line message; help and version are successful exits.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof StreamSoftError) {
      process.stderr.write(`streamsoft: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`streamsoft: unexpected error: ${message}\n`);
    return 1;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
