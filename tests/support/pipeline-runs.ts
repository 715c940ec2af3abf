// Helpers for end-to-end tests that drive the real CLI and check the lake with an independent reader.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, VENV_DIR } from '../../core/paths';
import type { RecordLine } from '../../producers/record-file';

export type { RecordLine };

export interface StreamsoftRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `streamsoft <args>` to completion with no time limit (jobs can be long), keeping its output. */
export function runStreamsoft(args: string[]): Promise<StreamsoftRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'streamsoft.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, STREAMSOFT_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The lines of a producer's `--record-file`. */
export function readRecordFile(file: string): RecordLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as RecordLine);
}

/** Runs a Python snippet in the project's virtualenv and parses the JSON it prints. */
export function runPythonJson<T>(script: string, args: string[]): Promise<T> {
  // delta-rs can abort during interpreter teardown ("terminate called without an active exception")
  // after the snippet has printed its result: leave without teardown once it is done.
  const finished = `${script}\nimport os, sys\nsys.stdout.flush()\nos._exit(0)\n`;
  return new Promise((resolve, reject) => {
    execFile(
      path.join(VENV_DIR, 'bin', 'python'),
      ['-c', finished, ...args],
      { cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as T);
      },
    );
  });
}
