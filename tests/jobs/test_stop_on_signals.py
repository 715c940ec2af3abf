"""The streaming drivers' stop request (streamsoft_jobs/runtime.py stop_on_signals), in a child process so
pytest's own signal handlers stay as they are: SIGTERM or SIGINT sets the Event once, logged on the job's
logger, and the process keeps running to stop its queries itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from conftest import JOBS_DIR

# Imports the bronze driver as Glue does (the shared handler is its stop request too), then waits.
DRIVER = """
import logging, sys
import bronze_streaming
from streamsoft_jobs.runtime import configure_logging, stop_on_signals
configure_logging()
stop_requested = stop_on_signals(logging.getLogger("bronze_streaming"))
print("waiting", flush=True)
sys.exit(0 if stop_requested.wait(60) else 3)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_sets_the_stop_request_logged_on_the_jobs_logger(signum: signal.Signals) -> None:
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER],
        env={**os.environ, "PYTHONPATH": str(JOBS_DIR)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert driver.stdout is not None
        assert driver.stdout.readline() == "waiting\n"
        driver.send_signal(signum)
        _, stderr = driver.communicate(timeout=30)
    finally:
        driver.kill()
    assert driver.returncode == 0, stderr
    assert f"bronze_streaming: signal {int(signum)} ({signum.name}): stopping" in stderr
