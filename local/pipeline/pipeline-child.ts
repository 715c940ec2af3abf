// One `streamsoft` subcommand run as a child of `up`: its own process group (so Spark's JVM and Python
// workers go with it), output appended to a log in the data dir, and a stop that asks politely first.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../core/paths';

export const STREAMSOFT_BIN = path.join(REPO_ROOT, 'bin', 'streamsoft.js');

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface PipelineChildOptions {
  /** Short name for logs and messages, e.g. `producer`. */
  name: string;
  /** Arguments after `streamsoft`. */
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** The program and leading arguments to run; `node bin/streamsoft.js` unless a test says otherwise. */
  command?: { file: string; args: string[] };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

export class PipelineChild {
  readonly exited: Promise<ChildExit>;
  private readonly child: ChildProcess;
  private done = false;

  constructor(readonly options: PipelineChildOptions) {
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    const fd = fs.openSync(options.logFile, 'a');
    fs.writeSync(
      fd,
      `\n# streamsoft up: ${options.name} started at ${new Date().toISOString()}: ${options.args.join(' ')}\n`,
    );
    try {
      const command = options.command ?? { file: process.execPath, args: [STREAMSOFT_BIN] };
      this.child = spawn(command.file, [...command.args, ...options.args], {
        cwd: REPO_ROOT,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      fs.closeSync(fd);
    }
    this.exited = new Promise<ChildExit>((resolve) => {
      this.child.once('error', () => {
        this.done = true;
        resolve({ code: 127, signal: null });
      });
      this.child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /**
   * Sends `signal` to the child itself (it shuts its own workers down), waits up to `graceMs`, then kills
   * whatever is left of its process group.
   */
  async stop(signal: NodeJS.Signals = 'SIGINT', graceMs = 30_000): Promise<ChildExit> {
    const pid = this.child.pid;
    if (pid !== undefined && !this.done) {
      try {
        process.kill(pid, signal);
      } catch {
        // already exiting
      }
      // The grace timer is cleared when the child exits first: a pending timer would keep `up` alive for
      // the rest of the grace period after everything has stopped.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
      const timedOut = await Promise.race([this.exited.then(() => false), grace]);
      clearTimeout(timer);
      if (timedOut) signalGroup(pid, 'SIGKILL');
    }
    const exit = await this.exited;
    if (pid !== undefined) signalGroup(pid, 'SIGKILL'); // orphans (a JVM whose parent died first)
    return exit;
  }
}

/** The last lines of a child's log, for an error message. */
export function tailOf(logFile: string, lines = 5): string {
  try {
    return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
