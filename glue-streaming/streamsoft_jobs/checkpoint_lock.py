"""One driver per checkpoint, locally: a lock file in the checkpoint folder, held with flock(2) for the
driver's lifetime and naming its pid. The kernel drops the lock when the holder dies however it dies, so a
lock left by a dead holder is simply taken over. (On AWS, Glue's per-job concurrency limit of 1 plays this
part; see infra/README.md.)
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "streamsoft-driver.lock"


class CheckpointLocked(RuntimeError):
    """Another live process holds the checkpoint; the message names it in one line."""


class CheckpointLock:
    def __init__(self, checkpoint: str) -> None:
        self.path = Path(checkpoint) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> "CheckpointLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise CheckpointLocked(
                f"checkpoint {self.path.parent} is in use by pid {holder}; stop that job first"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
