// Notices that `up`'s output pipe was closed (`| head -1` done, a `| tee` that died) without waiting for
// up's next line to fail with EPIPE, which before the first gold rows can be minutes away. On Linux the
// write end of a pipe whose readers are all gone polls POLLERR (pipe(7): "If all file descriptors
// referring to the read end of a pipe have been closed, then ... poll(2) ... on the write end reports
// POLLERR"), with nothing written. Node cannot poll a descriptor it does not read, so a small Python
// child (Python is a prerequisite of `up`) polls the inherited descriptor and exits 0 the moment the
// readers are gone; it exits by itself when `up` is gone too (its stdin, a pipe from `up`, hangs up).
import { spawn, type ChildProcess } from 'node:child_process';
import { fstatSync } from 'node:fs';

const POLL_OUTPUT = `
import select, sys
poller = select.poll()
poller.register(1, select.POLLERR)  # the watched output, inherited as stdout
poller.register(0, select.POLLIN)   # a pipe from the parent: it hangs up when the parent is gone
while True:
    for fd, events in poller.poll():
        if fd == 1 and events & (select.POLLERR | select.POLLHUP):
            sys.exit(0)
        if fd == 0:
            sys.exit(3)
`;

export interface OutputWatch {
  /** The watching child's pid (undefined when nothing is watched). */
  readonly pid: number | undefined;
  stop(): void;
}

export interface OutputWatchOptions {
  /** The descriptor to watch (default 1, stdout). */
  fd?: number;
  onClosed: () => void;
  /** The Python interpreter (default `python3` on PATH). */
  python?: string;
}

/**
 * Calls `onClosed` once the pipe at `fd` has no reader left. Watches only a pipe on Linux; elsewhere (a
 * terminal, a file, macOS) it does nothing, and a closed pipe is noticed at the next write (EPIPE).
 */
export function watchOutputClosed(options: OutputWatchOptions): OutputWatch {
  const fd = options.fd ?? 1;
  if (process.platform !== 'linux' || !isPipe(fd)) return { pid: undefined, stop: () => undefined };
  let child: ChildProcess | undefined = spawn(options.python ?? 'python3', ['-c', POLL_OUTPUT], {
    stdio: ['pipe', fd, 'ignore'],
  });
  child.on('error', () => (child = undefined)); // no python: the EPIPE path remains
  child.on('exit', (code) => {
    if (child !== undefined && code === 0) options.onClosed();
    child = undefined;
  });
  // Neither the child nor its stdin pipe keeps up's event loop alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    pid: child.pid,
    stop: () => {
      const running = child;
      child = undefined;
      running?.kill();
    },
  };
}

/** A pipe from a shell (`|`) is a FIFO; one from Node's `spawn` is a socket pair, whose peer's close polls POLLHUP. */
function isPipe(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}
