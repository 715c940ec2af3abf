"""The silver job's wiring: bronze.trades as an incremental Delta stream, each micro-batch classified and
appended to silver.trades, silver.trades_rejected and silver.trades_duplicates. The
stream runs as a batch (availableNow, `run_silver`) or continuously (`start_silver` with a processing-time
trigger, see refine.py); the micro-batches are the same either way.

Every write is idempotent, so a batch replayed after a crash changes nothing it already wrote: the
classification reads what silver already holds before it writes, recognises the rows an earlier attempt at
the same batch wrote by their source coordinates, and leaves them out. The writes are plain appends, not
MERGEs: a MERGE would scan the day's partition again only to find what the classification already
excluded. A run with no new bronze rows runs no batch and commits nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming.query import StreamingQuery

from streamsoft_jobs.lake import ensure_table, table_path
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.refine_trigger import BATCH, RefineTrigger
from streamsoft_jobs.silver import (
    COORDINATES,
    SILVER_DUPLICATES_SCHEMA,
    SILVER_REJECTED_SCHEMA,
    SILVER_TRADES_SCHEMA,
    classify,
    seen_keys,
    trade_key,
)
from streamsoft_jobs.time_ranges import MINUTE, bucket_filter

log = logging.getLogger("streamsoft.silver")


@dataclass(frozen=True)
class SilverPaths:
    bronze_trades: str
    trades: str
    rejected: str
    duplicates: str

    @staticmethod
    def of(lake_path: str) -> "SilverPaths":
        return SilverPaths(
            bronze_trades=table_path(lake_path, "bronze", "trades"),
            trades=table_path(lake_path, "silver", "trades"),
            rejected=table_path(lake_path, "silver", "trades_rejected"),
            duplicates=table_path(lake_path, "silver", "trades_duplicates"),
        )


@dataclass
class SilverBatchCounts:
    batch_id: int
    bronze_rows: int
    trades: int
    rejected: int
    duplicates: int


@dataclass
class SilverRunSummary:
    batches: list[SilverBatchCounts] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(batch, name) for batch in self.batches)


@dataclass(frozen=True)
class EventTimes:
    """The event minutes and dates (as silver's event_date, computed by Spark) of a batch's rows."""

    minutes: list[dt.datetime]
    dates: list[dt.date]

    @staticmethod
    def of(batch: DataFrame) -> "EventTimes":
        rows = batch.where(F.col("timestamp").isNotNull()).select(
            F.date_trunc("minute", "timestamp").alias("minute"), F.to_date("timestamp").alias("day")
        )
        pairs = rows.distinct().collect()
        return EventTimes(sorted({row.minute for row in pairs}), sorted({row.day for row in pairs}))


def ensure_silver_tables(spark: SparkSession, paths: SilverPaths) -> None:
    ensure_table(spark, paths.trades, SILVER_TRADES_SCHEMA, partition_by=["event_date"])
    ensure_table(spark, paths.rejected, SILVER_REJECTED_SCHEMA)
    ensure_table(spark, paths.duplicates, SILVER_DUPLICATES_SCHEMA)


def _processed_keys(spark: SparkSession, paths: SilverPaths, batch: DataFrame, times: EventTimes) -> DataFrame:
    """silver + rejected rows whose key occurs in this batch. A duplicate repeats its trade, event time
    included, so silver is read only in the batch's event minutes: their dates' partitions, and within them
    only the files whose timestamp statistics overlap those minutes (time_ranges)."""
    keys = F.broadcast(batch.select(trade_key().alias("trade_key")).distinct())
    coordinates = ["_source", "_source_partition", "_source_offset"]
    in_rejected = spark.read.format("delta").load(paths.rejected).select("trade_key", *coordinates)
    if not times.minutes:  # no row of the batch has an event time: none can be in silver
        return in_rejected.join(keys, "trade_key", "left_semi")
    in_silver = (
        spark.read.format("delta")
        .load(paths.trades)
        .where(F.col("event_date").isin(times.dates) & bucket_filter(times.minutes, MINUTE, "timestamp"))
        .select(F.col("operation_id").alias("trade_key"), *coordinates)
    )
    return in_silver.unionByName(in_rejected).join(keys, "trade_key", "left_semi")


def _not_yet_recorded(spark: SparkSession, paths: SilverPaths, duplicates: DataFrame) -> DataFrame:
    """Drops duplicates an earlier attempt at this batch already recorded (a replay), so the count is what
    this attempt adds. Only the recorded rows ingested in the batch's time range are read."""
    bounds = duplicates.agg(F.min("_ingested_at"), F.max("_ingested_at")).first()
    if bounds is None or bounds[0] is None:
        return duplicates
    recorded = (
        spark.read.format("delta")
        .load(paths.duplicates)
        .where(F.col("_ingested_at").between(bounds[0], bounds[1]))
        .select(*COORDINATES)
    )
    return duplicates.join(recorded, [*COORDINATES], "left_anti")


def _append(path: str, rows: DataFrame) -> None:
    # mergeSchema: columns a newer Trade version added to bronze join the table (silver.passthrough_columns)
    rows.write.format("delta").mode("append").option("mergeSchema", "true").save(path)


def process_batch(
    spark: SparkSession, paths: SilverPaths, policy: QualityPolicy, batch: DataFrame, batch_id: int
) -> SilverBatchCounts:
    """Classifies one micro-batch of bronze rows and MERGEs each part into its table."""
    batch = batch.persist()
    try:
        bronze_rows = batch.count()
        # Materialised before any write, so the classification cannot observe this batch's own appends.
        seen = seen_keys(_processed_keys(spark, paths, batch, EventTimes.of(batch))).localCheckpoint(eager=True)
        parts = classify(batch, seen, policy)
        trades = parts.trades.persist()
        rejected = parts.rejected.persist()
        duplicates = _not_yet_recorded(spark, paths, parts.duplicates).persist()
        counts = SilverBatchCounts(batch_id, bronze_rows, trades.count(), rejected.count(), duplicates.count())
        # Replayed rows and keys silver already holds were classified out above: appends cannot duplicate.
        for path, rows, count in (
            (paths.trades, trades, counts.trades),
            (paths.rejected, rejected, counts.rejected),
            (paths.duplicates, duplicates, counts.duplicates),
        ):
            if count:
                _append(path, rows)
        for frame in (trades, rejected, duplicates):
            frame.unpersist()
    finally:
        batch.unpersist()
    log.info(
        "silver batch %d: %d bronze rows -> %d trades, %d rejected, %d duplicates dropped",
        batch_id,
        counts.bronze_rows,
        counts.trades,
        counts.rejected,
        counts.duplicates,
    )
    return counts


def start_silver(
    spark: SparkSession,
    lake_path: str,
    checkpoint_path: str,
    policy: QualityPolicy = QualityPolicy(),
    max_files_per_trigger: int | None = None,
    trigger: RefineTrigger = BATCH,
    summary: SilverRunSummary | None = None,
    writes: threading.Lock | None = None,
) -> StreamingQuery | None:
    """Starts the silver query over bronze.trades (None while that table does not exist yet). Each batch's
    counts go to `summary`; with `writes`, each batch's MERGEs hold that lock (a VACUUM of the silver
    tables in the same driver waits for it)."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    paths = SilverPaths.of(lake_path)
    ensure_silver_tables(spark, paths)
    if not DeltaTable.isDeltaTable(spark, paths.bronze_trades):
        log.info("silver: no bronze.trades table at %s yet", paths.bronze_trades)
        return None

    def on_batch(batch: DataFrame, batch_id: int) -> None:
        if writes is None:
            counts = process_batch(spark, paths, policy, batch, batch_id)
        else:
            with writes:
                counts = process_batch(spark, paths, policy, batch, batch_id)
        if summary is not None:
            summary.batches.append(counts)

    reader = spark.readStream.format("delta")
    if max_files_per_trigger is not None:
        reader = reader.option("maxFilesPerTrigger", str(max_files_per_trigger))
    writer = (
        reader.load(paths.bronze_trades)
        .writeStream.queryName("silver_trades")
        .option("checkpointLocation", checkpoint_path)
        .foreachBatch(on_batch)
    )
    return trigger.apply(writer).start()


def run_silver(
    spark: SparkSession,
    lake_path: str,
    checkpoint_path: str,
    policy: QualityPolicy = QualityPolicy(),
    max_files_per_trigger: int | None = None,
) -> SilverRunSummary:
    """Processes every bronze row that arrived since the last run (availableNow), then returns."""
    summary = SilverRunSummary()
    query = start_silver(spark, lake_path, checkpoint_path, policy, max_files_per_trigger, BATCH, summary)
    if query is None:
        return summary
    query.awaitTermination()
    log.info(
        "silver run: %d batches, %d bronze rows -> %d trades, %d rejected, %d duplicates dropped",
        len(summary.batches),
        summary.total("bronze_rows"),
        summary.total("trades"),
        summary.total("rejected"),
        summary.total("duplicates"),
    )
    return summary
