"""The Spark session every job uses: the one Glue (or the local launcher) already configured, plus Delta.

Jars and cluster settings come from outside (Glue's `--datalake-formats delta`, or the local launcher's
`spark-submit --jars ... --conf ...`); this module makes sure the session settings of
`spark_settings.json` (Delta's extension and catalog, UTC) are requested. The same file holds the batch
jobs' and the bronze streaming job's settings, and the local ones that run-job.ts, the test fixture and the benchmarks use.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from importlib import resources
from types import FrameType
from typing import Mapping

from pyspark.sql import SparkSession


def _settings() -> dict[str, dict[str, str]]:
    text = resources.files(__package__).joinpath("spark_settings.json").read_text(encoding="utf-8")
    return {
        group: {key: value for key, value in conf.items() if not key.startswith("$")}
        for group, conf in json.loads(text).items()
        if not group.startswith("$")
    }


_SETTINGS = _settings()
SESSION_CONF: Mapping[str, str] = _SETTINGS["session"]
BATCH_CONF: Mapping[str, str] = _SETTINGS["batch"]
STREAMING_CONF: Mapping[str, str] = _SETTINGS["streaming"]
LOCAL_CONF: Mapping[str, str] = _SETTINGS["local"]


def spark_session(app_name: str, extra_conf: Mapping[str, str] | None = None) -> SparkSession:
    """Returns the active session (creating it if needed) with Delta and UTC set."""
    builder = SparkSession.builder.appName(app_name)
    for key, value in {**SESSION_CONF, **(extra_conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    # getOrCreate ignores builder settings on an existing session; runtime settings can still be applied.
    for key, value in {**SESSION_CONF, **(extra_conf or {})}.items():
        if not key.startswith("spark.sql.extensions") and not key.startswith("spark.sql.catalog"):
            try:
                spark.conf.set(key, value)
            except Exception:  # static settings of a running session cannot change; keep the session's
                logging.getLogger(__name__).debug("could not set %s on a running session", key)
    return spark


def failure_line(error: BaseException) -> str:
    """The first line of an error, for the one log line a failed job ends with (Spark logged the stack)."""
    text = str(error)
    return text.splitlines()[0] if text else repr(error)


def stop_on_signals(log: logging.Logger) -> threading.Event:
    """An Event set by SIGTERM or SIGINT (logged on the job's own logger): a streaming job stops its
    queries between polls. Stopping mid-batch is safe: the checkpoint replays the batch, and every write is
    idempotent."""
    stop_requested = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d (%s): stopping", signum, signal.Signals(signum).name)
        stop_requested.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop_requested


def configure_logging(level: int = logging.INFO) -> None:
    """One log format for the job scripts (stderr; Glue ships it to CloudWatch)."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("py4j").setLevel(logging.WARNING)
