// Operating-system plumbing for the stand-ins: detached launches, process identity checks, signals, ports.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

import { LOOPBACK } from '../../core/local-endpoints';

/** Re-exported for the stand-in definitions that bind it. */
export { LOOPBACK };

export interface LaunchSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Arguments that appear in the command line of this launch and of no one else's process. */
  markers: string[];
}

/**
 * Starts a process in its own process group with stdout and stderr appended to `log`, so it keeps running
 * after the CLI exits and is not hit by a Ctrl-C meant for the CLI.
 */
export function launchDetached(spec: LaunchSpec, log: string): number {
  const fd = fs.openSync(log, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The arguments of a process, or undefined when it is gone (or a zombie). */
export function commandLineOf(pid: number): string[] | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw === '' ? undefined : raw.replace(/\0$/, '').split('\0');
  } catch {
    // No /proc (macOS): ask ps, unabbreviated; our markers contain no spaces there.
    const result = spawnSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    const line = result.status === 0 ? result.stdout.trim() : '';
    return line === '' ? undefined : line.split(/\s+/);
  }
}

/** True when `pid` is a live process (not gone, not a zombie waiting to be reaped). */
export function isRunning(pid: number): boolean {
  return commandLineOf(pid) !== undefined;
}

/** True when `pid` is running and has every marker of the launch we recorded among its arguments. */
export function isOurProcess(pid: number, markers: string[]): boolean {
  const args = commandLineOf(pid);
  return args !== undefined && markers.every((marker) => args.includes(marker));
}

function signal(pid: number, name: NodeJS.Signals): void {
  // The process leads its own group (launchDetached); signal the group so helpers it started go too.
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, name);
      return;
    } catch {
      // try the next form
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM, wait up to `graceMs` for the process to exit, then SIGKILL. Resolves once it is gone. */
export async function terminate(pid: number, markers: string[], graceMs: number): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(pid, markers)) return;
    await sleep(100);
  }
  signal(pid, 'SIGKILL');
  for (let i = 0; i < 50 && isOurProcess(pid, markers); i += 1) await sleep(100);
}

/** Whether nothing listens on 127.0.0.1:port (we may bind it exclusively). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel considers free right now (listen on port 0, read it back, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
