"""The gold job's wiring: silver (and quarantine) tables read as incremental Delta streams; each
micro-batch names the keys it touches, and gold_refresh.py recomputes those keys from silver and MERGEs
them into gold (the tables are in gold_tables.py, the aggregates in gold.py).

The streams run as a batch (availableNow, `run_gold`) or continuously (`start_gold_source` with a
processing-time trigger, see refine.py); the micro-batches are the same either way.
"""

from __future__ import annotations

import logging
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from streamsoft_jobs.args import JobArgs, JobArgumentError
from streamsoft_jobs.gold import DEFAULT_ALERT_THRESHOLD_PCT
from streamsoft_jobs.gold_refresh import (
    ingest_hours,
    recompute_per_trade_alerts,
    refresh_health,
    refresh_minutes,
    refresh_rollups,
)
from streamsoft_jobs.gold_tables import GoldPaths, ensure_gold_tables
from streamsoft_jobs.refine_trigger import BATCH, RefineTrigger

log = logging.getLogger("streamsoft.gold")


def alert_threshold_from_args(args: JobArgs) -> Decimal:
    """--alert-threshold-pct: a positive percentage (default 1.0)."""
    raw = args.get("alert-threshold-pct")
    if raw is None:
        return DEFAULT_ALERT_THRESHOLD_PCT
    try:
        value = Decimal(raw)
    except InvalidOperation as error:
        raise JobArgumentError(f"--alert-threshold-pct: expected a number (got {raw!r})") from error
    if not value.is_finite() or value <= 0 or value >= 100_000_000:
        raise JobArgumentError(f"--alert-threshold-pct: expected a positive percentage (got {raw!r})")
    return value


def prepare_gold_tables(spark: SparkSession, paths: GoldPaths, alert_threshold_pct: Decimal) -> None:
    """What a gold run or the continuous gold queries do before reading any batch: create the tables or add
    the columns they lack, then recompute, once, the alerts a lake still holds in the one-row-per-trade
    shape of older gold jobs."""
    ensure_gold_tables(spark, paths)
    keys = recompute_per_trade_alerts(spark, paths, alert_threshold_pct)
    if keys:
        log.info("gold: recomputed per-trade price alerts of %d (symbol, minute) keys to one alert per key", keys)


# The stage tables whose new rows change only pipeline health, each with its own stream checkpoint.
HEALTH_SOURCES = (
    ("silver_trades_rejected", "silver", "trades_rejected"),
    ("silver_trades_duplicates", "silver", "trades_duplicates"),
    ("bronze_trades_quarantine", "bronze", "trades_quarantine"),
)


@dataclass
class GoldRunSummary:
    batches: dict[str, int] = field(default_factory=dict)
    rows_in: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GoldSource:
    """One incremental input of gold: a stream over `source` with its own checkpoint `<checkpoint>/<name>`.
    A `rollup` source refreshes hour- and day-grain tables: continuous mode runs it on the slower rollup
    trigger (refine_trigger.py), and it shares one write lock with the other rollup sources."""

    name: str
    source: str
    on_batch: Callable[[DataFrame], None]
    rollup: bool = False


def gold_sources(spark: SparkSession, paths: GoldPaths, alert_threshold_pct: Decimal) -> list[GoldSource]:
    """silver.trades twice, each with its own checkpoint: the minute-grain tables (the dashboard's fast
    path) and the hour/day rollups with health; then the health-only stage tables."""
    sources = [
        GoldSource(
            "silver_trades",
            paths.silver_trades,
            lambda batch: refresh_minutes(spark, paths, batch, alert_threshold_pct),
        ),
        GoldSource(
            "silver_trades_rollups",
            paths.silver_trades,
            lambda batch: refresh_rollups(spark, paths, batch),
            rollup=True,
        ),
    ]
    for name, layer, table in HEALTH_SOURCES:
        sources.append(
            GoldSource(
                name,
                paths.of(layer, table),
                lambda batch: refresh_health(spark, paths, ingest_hours(batch)),
                rollup=True,
            )
        )
    return sources


def start_gold_source(
    spark: SparkSession,
    source: GoldSource,
    checkpoint: str,
    summary: GoldRunSummary,
    trigger: RefineTrigger = BATCH,
    writes: threading.Lock | None = None,
) -> StreamingQuery | None:
    """Starts the stream of one gold source (None while its table does not exist yet). Sources that write
    the same tables (the rollup sources all MERGE into pipeline_health_hourly) share `writes` when several
    run at once (continuous mode): one batch at a time writes those tables, as in a batch run."""
    if not DeltaTable.isDeltaTable(spark, source.source):
        log.info("gold: %s does not exist yet", source.source)
        return None
    name = source.name

    def each(batch: DataFrame, batch_id: int) -> None:
        batch = batch.persist()
        try:
            rows = batch.count()
            if rows:
                with writes if writes is not None else nullcontext():
                    source.on_batch(batch)
            summary.batches[name] = summary.batches.get(name, 0) + 1
            summary.rows_in[name] = summary.rows_in.get(name, 0) + rows
            log.info("gold %s batch %d: %d new rows", name, batch_id, rows)
        finally:
            batch.unpersist()

    writer = (
        spark.readStream.format("delta")
        .load(source.source)
        .writeStream.queryName(f"gold_{name}")
        .option("checkpointLocation", f"{checkpoint.rstrip('/')}/{name}")
        .foreachBatch(each)
    )
    return trigger.apply(writer).start()


def run_gold(
    spark: SparkSession,
    lake_path: str,
    checkpoint_path: str,
    alert_threshold_pct: Decimal = DEFAULT_ALERT_THRESHOLD_PCT,
) -> GoldRunSummary:
    """Brings every gold table up to date with what silver and quarantine gained since the last run."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    paths = GoldPaths(lake_path)
    prepare_gold_tables(spark, paths, alert_threshold_pct)
    summary = GoldRunSummary()
    for source in gold_sources(spark, paths, alert_threshold_pct):
        query = start_gold_source(spark, source, checkpoint_path, summary)
        if query is not None:
            query.awaitTermination()
    log.info("gold run: new rows per source %s", summary.rows_in)
    return summary
