// Runs the real `streamsoft` entry point as a child process and captures what a user would see.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../../core/paths';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'streamsoft.js'), ...args],
      { cwd: REPO_ROOT, env: { ...env, STREAMSOFT_LOG_FORMAT: 'json' }, timeout: 280_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
