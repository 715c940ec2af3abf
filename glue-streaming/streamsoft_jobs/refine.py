"""Silver and gold as long-running streaming queries in one driver (continuous mode): the silver query over
bronze.trades and one gold query per gold source, each with a processing-time trigger, each on the same
checkpoint its batch job uses, so a lake can switch between batch and continuous runs at any time.

Each table keeps one writer at a time: silver's tables are written only by the silver query; gold's
minute-grain query (ohlcv_1m, price_alerts, on the fast trigger) writes only its tables, and gold's rollup
queries (hour/day tables and pipeline health, on the slower rollup trigger) take turns (a lock) exactly as
they do one after another in a batch run. A query whose source table does not exist yet is started as soon
as it does; a query that fails stops the driver.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Sequence

from pyspark.sql import SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from streamsoft_jobs.args import JobArgs, JobArgumentError
from streamsoft_jobs.compaction import GOLD_TABLES, SILVER_TABLES, run_compaction
from streamsoft_jobs.gold import DEFAULT_ALERT_THRESHOLD_PCT
from streamsoft_jobs.gold_job import GoldRunSummary, gold_sources, prepare_gold_tables, start_gold_source
from streamsoft_jobs.gold_tables import GoldPaths
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.refine_trigger import RefineTrigger
from streamsoft_jobs.runtime import stop_on_signals
from streamsoft_jobs.silver_job import start_silver

log = logging.getLogger("streamsoft.refine")

LAYERS = ("silver", "gold")
# One write lock per group of queries that share tables; a layer's VACUUM holds all of the layer's locks.
LOCKS = {"silver": ("silver",), "gold": ("gold", "gold_rollups")}


class RefineQueryFailed(RuntimeError):
    """A silver or gold query stopped with an error; the message names it and gives the error's first line."""


@dataclass(frozen=True)
class RefineConfig:
    lake_path: str
    layers: Sequence[str]
    silver_checkpoint: str = ""
    gold_checkpoint: str = ""
    trigger: RefineTrigger = RefineTrigger(continuous=True)
    policy: QualityPolicy = QualityPolicy()
    alert_threshold_pct: Decimal = DEFAULT_ALERT_THRESHOLD_PCT
    max_files_per_trigger: int | None = None
    # VACUUM the layers' tables this often (0: never); each VACUUM holds its layer's write lock.
    vacuum_every_minutes: int = 60

    @staticmethod
    def vacuum_minutes(args: JobArgs) -> int:
        minutes = args.get_int("vacuum-every-minutes", 60)
        if minutes < 0:
            raise JobArgumentError(f"--vacuum-every-minutes: expected 0 or more minutes (got {minutes})")
        return minutes


@dataclass
class _Pending:
    name: str
    start: Callable[[], StreamingQuery | None]


def _queries(spark: SparkSession, config: RefineConfig, locks: dict[str, threading.Lock]) -> list[_Pending]:
    pending: list[_Pending] = []
    trigger = config.trigger
    if "silver" in config.layers:
        pending.append(
            _Pending(
                "silver_trades",
                lambda: start_silver(
                    spark,
                    config.lake_path,
                    config.silver_checkpoint,
                    config.policy,
                    config.max_files_per_trigger,
                    trigger,
                    writes=locks["silver"],
                ),
            )
        )
    if "gold" in config.layers:
        paths = GoldPaths(config.lake_path)
        prepare_gold_tables(spark, paths, config.alert_threshold_pct)
        summary = GoldRunSummary()
        for source in gold_sources(spark, paths, config.alert_threshold_pct):
            source_trigger, lock = (trigger.rollups(), locks["gold_rollups"]) if source.rollup else (trigger, locks["gold"])
            pending.append(_Pending(f"gold_{source.name}", functools.partial(
                start_gold_source, spark, source, config.gold_checkpoint, summary, source_trigger, lock
            )))  # fmt: skip
    return pending


def _vacuum(spark: SparkSession, config: RefineConfig, locks: dict[str, threading.Lock]) -> None:
    for layer, tables in (("silver", SILVER_TABLES), ("gold", GOLD_TABLES)):
        if layer in config.layers:
            with contextlib.ExitStack() as held:
                for name in LOCKS[layer]:
                    held.enter_context(locks[name])
                run_compaction(spark, config.lake_path, tables=(), vacuum_tables=tables)


def _first_line(error: object) -> str:
    text = str(error)
    return text.splitlines()[0] if text else repr(error)


class RefineRunner:
    """The layers' queries in one driver: `poll` starts the queries whose source exists, raises
    RefineQueryFailed for one that failed and VACUUMs when due; `stop` stops them all."""

    def __init__(self, spark: SparkSession, config: RefineConfig) -> None:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        self._spark = spark
        self._config = config
        self._locks = {name: threading.Lock() for names in LOCKS.values() for name in names}
        self._pending = _queries(spark, config, self._locks)
        self.running: dict[str, StreamingQuery] = {}
        self._vacuum_every = config.vacuum_every_minutes * 60
        self._next_vacuum = time.monotonic() + self._vacuum_every

    def poll(self) -> None:
        for item in list(self._pending):
            query = item.start()
            if query is not None:
                self.running[item.name] = query
                self._pending.remove(item)
                log.info("refine: %s query started", item.name)
        for name, query in self.running.items():
            if not query.isActive:
                error = query.exception()
                raise RefineQueryFailed(f"{name}: {_first_line(error) if error else 'stopped on its own'}")
        if self._vacuum_every and time.monotonic() >= self._next_vacuum:
            _vacuum(self._spark, self._config, self._locks)
            self._next_vacuum = time.monotonic() + self._vacuum_every

    def process_all_available(self) -> None:
        """Blocks until every running query has processed what its source held (silver before gold)."""
        for query in self.running.values():
            query.processAllAvailable()

    def stop(self) -> None:
        for query in self.running.values():
            try:
                query.stop()
            except Exception as error:  # a query that failed has nothing left to stop
                log.debug("stopping %s: %s", query.name, error)


def run_refine(
    spark: SparkSession, config: RefineConfig, stop_requested: threading.Event, poll_seconds: float = 1.0
) -> None:
    """Runs the layers' queries until `stop_requested` is set; raises RefineQueryFailed if one fails."""
    runner = RefineRunner(spark, config)
    log.info(
        "refine: %s continuously, a micro-batch every %d s (gold's hour/day rollups every %d s)",
        " and ".join(config.layers),
        config.trigger.seconds,
        config.trigger.rollups().seconds,
    )
    try:
        while not stop_requested.is_set():
            runner.poll()
            stop_requested.wait(poll_seconds)
    finally:
        runner.stop()
    log.info("refine: stopped")


def run_until_stopped(spark: SparkSession, config: RefineConfig) -> int:
    """The continuous entry points' main loop: runs until SIGTERM/SIGINT (0) or a query fails (1)."""
    stop_requested = stop_on_signals(log)
    try:
        run_refine(spark, config, stop_requested)
    except RefineQueryFailed as error:  # one line on why; Spark logged the stack
        log.error("refine query failed: %s", error)
        return 1
    finally:
        spark.stop()
    return 0
