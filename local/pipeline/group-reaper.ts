// `up`'s guard against being killed: a detached helper (group-reaper.cjs) that stops every process group
// `up` registered when `up` dies without saying it stopped them itself. See the helper's header.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const REAPER_SCRIPT = path.join(__dirname, 'group-reaper.cjs');

export class GroupReaper {
  private readonly child: ChildProcess;

  constructor(graceMs = 8_000) {
    this.child = spawn(process.execPath, [REAPER_SCRIPT, String(graceMs)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.child.on('error', () => undefined);
    this.child.stdin?.on('error', () => undefined);
    this.child.unref();
    // The pipe must not keep `up` alive either; writes still go through.
    (this.child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** A process group (its leader's pid) to stop if `up` dies. */
  watch(pid: number | undefined): void {
    if (pid !== undefined) this.child.stdin?.write(`${pid}\n`);
  }

  /** `up` stopped everything itself: the reaper exits without touching anything. */
  release(): void {
    this.child.stdin?.end('done\n');
  }
}
