"""The local launcher (streamsoft_jobs/local_launch.py), with a stand-in job script instead of Spark: a
second driver on a held checkpoint exits 2 with one line naming the holder, a dead holder's lock is taken
over, and a job whose parent is SIGKILLed stops, with what it started, within 15 s."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import JOBS_DIR

# Stands in for a job: starts a child (as PySpark starts its JVM), says so, and runs until SIGTERM.
JOB_SCRIPT = """
import signal, subprocess, sys, threading, time
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(f"job child {child.pid}", flush=True)
while not stop.wait(0.2):
    pass
time.sleep(1)  # finishing a batch
child.terminate()
"""


def launch_command(script: Path, checkpoint: Path) -> list[str]:
    return [sys.executable, "-m", "streamsoft_jobs.local_launch", str(script), "--checkpoint-path", str(checkpoint)]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(JOBS_DIR), "PYTHONUNBUFFERED": "1"}


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return ") Z " not in stat.read()
    except FileNotFoundError:
        return False


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.2)
    return [pid for pid in pids if alive(pid)]


def test_a_second_driver_on_a_held_checkpoint_exits_2_naming_the_holder(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text(JOB_SCRIPT)
    checkpoint = tmp_path / "cp" / "bronze-kinesis"
    first = subprocess.Popen(
        launch_command(script, checkpoint), env=env(), stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert first.stdout is not None
        first.stdout.readline()  # running
        second = subprocess.run(
            launch_command(script, checkpoint), env=env(), capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 2
        assert second.stderr.strip().splitlines() == [
            f"job: checkpoint {checkpoint} is in use by pid {first.pid}; stop that job first"
        ]
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    # The holder died without releasing anything: the next driver takes the lock over.
    third = subprocess.Popen(launch_command(script, checkpoint), env=env(), stdout=subprocess.PIPE, text=True)
    try:
        assert third.stdout is not None
        assert third.stdout.readline().startswith("job child ")
        assert (checkpoint / "streamsoft-driver.lock").read_text().strip() == str(third.pid)
    finally:
        third.terminate()
        assert third.wait(timeout=30) == 0


def test_a_job_whose_parent_is_killed_stops_with_its_children(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text(JOB_SCRIPT)
    # The parent stands in for `streamsoft jobs bronze`: it starts the launcher in a process group of its
    # own (as run-job.ts does), reports the pids, and waits until it is killed.
    parent_code = f"""
import subprocess, sys
job = subprocess.Popen({launch_command(script, tmp_path / "cp")!r}, stdout=subprocess.PIPE, text=True,
                       start_new_session=True)
print(job.pid, job.stdout.readline().split()[-1], flush=True)
job.wait()
"""
    parent = subprocess.Popen([sys.executable, "-c", parent_code], env=env(), stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    job_pid, child_pid = (int(value) for value in parent.stdout.readline().split())
    assert alive(job_pid) and alive(child_pid)
    parent.kill()
    parent.wait()
    assert wait_gone([job_pid, child_pid], 15) == []
