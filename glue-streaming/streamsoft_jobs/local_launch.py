"""How `streamsoft` runs a job script locally: `python -m streamsoft_jobs.local_launch <script> <args>`.

Before the script runs, the launcher locks every checkpoint named in the arguments (checkpoint_lock.py:
a second driver on a checkpoint exits 2 with one line naming the holder), and starts a watchdog on the
parent process: when the `streamsoft` process that started the job is gone (killed, even with SIGKILL), the
job is asked to stop (SIGTERM) and, after a grace period, its whole process group (Spark's JVM and Python
workers) is killed. On Glue none of this runs: the scripts are started directly.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
from typing import Sequence

from streamsoft_jobs.args import parse_job_args
from streamsoft_jobs.checkpoint_lock import CheckpointLock, CheckpointLocked


CHECKPOINT_ARGUMENTS = (
    "checkpoint-path",
    "kinesis-checkpoint-path",
    "kafka-checkpoint-path",
    "silver-checkpoint-path",
    "gold-checkpoint-path",
)
# How long a job whose parent vanished may take to stop on SIGTERM before its group is killed.
ORPHAN_GRACE_SECONDS = 8.0
PARENT_POLL_SECONDS = 1.0


def checkpoints_of(argv: Sequence[str]) -> list[str]:
    args = parse_job_args(argv)
    return [value for name in CHECKPOINT_ARGUMENTS if (value := args.get(name))]


def _kill_own_group() -> None:
    try:
        if os.getpgid(0) == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
    finally:
        os._exit(137)


class ParentWatch:
    """A daemon thread: once this process's parent is no longer `parent_pid` (it died and the process was
    re-parented), SIGTERM to this process (the job stops between batches), then SIGKILL to its group after
    `grace` seconds if it has not exited by then."""

    def __init__(self, parent_pid: int, grace: float = ORPHAN_GRACE_SECONDS, poll: float = PARENT_POLL_SECONDS):
        self.parent_pid = parent_pid
        self.orphaned = threading.Event()
        self._grace = grace
        self._poll = poll
        threading.Thread(target=self._run, name="parent-watchdog", daemon=True).start()

    def _run(self) -> None:
        while os.getppid() == self.parent_pid:
            threading.Event().wait(self._poll)
        self.orphaned.set()
        print(f"streamsoft: parent process {self.parent_pid} is gone; stopping the job", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(self._grace)
        _kill_own_group()


def main(argv: Sequence[str]) -> int:
    if not argv:
        print("usage: python -m streamsoft_jobs.local_launch <script.py> [job arguments]", file=sys.stderr)
        return 2
    script, job_argv = argv[0], list(argv[1:])
    job = os.path.splitext(os.path.basename(script))[0]
    locks: list[CheckpointLock] = []
    try:
        for checkpoint in checkpoints_of(job_argv):
            locks.append(CheckpointLock(checkpoint).acquire())
    except CheckpointLocked as error:
        print(f"{job}: {error}", file=sys.stderr)
        return 2
    parent = ParentWatch(os.getppid())
    # A script that installs no handler of its own still ends through `finally` on SIGTERM.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    sys.argv = [script, *job_argv]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        for lock in locks:
            lock.release()
        if parent.orphaned.is_set():
            _kill_own_group()  # what the job started (Spark's JVM, its workers) goes with it
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
