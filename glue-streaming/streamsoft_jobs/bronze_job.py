"""The bronze streaming job: every source's query (bronze_query.py) run by one driver, which compacts the
bronze tables between its polls of the queries.

One driver writes the bronze tables: Delta's default S3 log store is only transactional when every write
to a table comes from a single Spark driver (https://docs.delta.io/latest/delta-storage.html#amazon-s3).
So one job runs one streaming query per configured source (each with its own checkpoint) and compacts
the tables itself, between its polls of the queries, instead of a second job doing it.

`run_bronze_job` is what `bronze_streaming.py` calls on Glue and locally; tests call it (or `run_bronze`,
for one source) with their own session. The job's configuration is in bronze_config.py, where each query
reads in bronze_sources.py.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from pyspark.sql import SparkSession

from .bronze_config import BronzeConfig, BronzeJobConfig
from .bronze_query import SourceRunner
from .compaction import TableCompaction, run_compaction

log = logging.getLogger(__name__)


@dataclass
class CompactionSchedule:
    """When the job compacts the bronze tables next: at its start, then every `every_seconds`."""

    every_seconds: float | None
    clock: Callable[[], float] = time.monotonic
    _next: float | None = field(default=None, init=False)

    def due(self) -> bool:
        if self.every_seconds is None:
            return False
        return self._next is None or self.clock() >= self._next

    def ran(self) -> None:
        """Marks a compaction as finished: the next is due `every_seconds` after its end."""
        if self.every_seconds is not None:
            self._next = self.clock() + self.every_seconds


def run_bronze(spark: SparkSession, config: BronzeConfig, stop_requested: threading.Event | None = None) -> None:
    """Runs one source's query, without compaction, until it is done or asked to stop (see run_bronze_job)."""
    job = BronzeJobConfig(config.job_name, config.lake_path, (config,), compact_every_seconds=None)
    run_bronze_job(spark, job, stop_requested)


def run_bronze_job(
    spark: SparkSession,
    job: BronzeJobConfig,
    stop_requested: threading.Event | None = None,
    schedule: CompactionSchedule | None = None,
) -> list[list[TableCompaction]]:
    """Runs every source's query until all are done or the job is asked to stop; raises the first error.

    Done means: with --available-now, everything in each stream when checked is in bronze (Kafka: the
    offsets at start, via Trigger.AvailableNow; Kinesis: until a check finds no new record, via
    processAllAvailable); otherwise never, until `stop_requested` is set (a signal). Between its polls of
    the queries the driver compacts the bronze tables when `schedule` says so; the compactions' results
    are returned. A failed query stops the others: the job fails as a whole, and Glue restarts it whole.
    """
    stop_requested = stop_requested or threading.Event()
    schedule = schedule or CompactionSchedule(job.compact_every_seconds)
    runners = [SourceRunner(spark, config, stop_requested) for config in job.sources]
    compactions: list[list[TableCompaction]] = []
    failed = True
    try:
        for runner in runners:
            runner.start()
        while any(runner.active for runner in runners):
            if stop_requested.is_set():
                log.info("stopping the bronze queries (asked to stop)")
                break
            for runner in runners:
                runner.poll()
            if schedule.due() and not stop_requested.is_set():
                compactions.append(compact_bronze(spark, job))
                schedule.ran()
            # Poll instead of blocking in awaitTermination, so a signal handler only has to set an Event.
            stop_requested.wait(0.5)
        failed = False
    finally:
        for runner in runners:
            runner.stop()
        for runner in runners:
            runner.finish(wait_for_metrics=not failed)
    return compactions


def compact_bronze(spark: SparkSession, job: BronzeJobConfig) -> list[TableCompaction]:
    """OPTIMIZE (days before today) and VACUUM the bronze tables, from this driver, next to its appends.

    Appends never conflict with OPTIMIZE's dataChange=false rewrite, and VACUUM commits no data
    (compaction.py); a failure is logged and the next compaction tries again: the stream goes on.
    """
    try:
        results = run_compaction(spark, job.lake_path, job.compact_tables)
    except Exception as error:
        log.warning("bronze compaction failed, the stream goes on: %s", str(error).splitlines()[0] if str(error) else repr(error))
        return []
    log.info("bronze compaction: %s", ", ".join(f"{r.table} {r.files_before}->{r.files_after} files" for r in results))
    return results
