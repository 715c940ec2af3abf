"""The gold job's wiring: silver (and quarantine) tables read as incremental Delta streams; each
micro-batch names the keys it touches, those keys are recomputed from silver and MERGEd into gold.

Recomputing a touched key from silver (rather than adding the batch to the old value) is what keeps gold
right for late trades and for batches replayed after a crash; the partition filters keep the cost of a run
proportional to the days and hours it touches, not to the table size. The streams run as a batch
(availableNow, `run_gold`) or continuously (`start_gold_source` with a processing-time trigger, see
refine.py); the micro-batches are the same either way.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable, Sequence

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming.query import StreamingQuery
from pyspark.sql.types import StructField, StructType, TimestampType

from streamsoft_jobs.gold import (
    exchange_activity_hourly,
    ohlcv_1m,
    pipeline_health_hourly,
    price_alerts,
    trader_leaderboard_daily,
)
from streamsoft_jobs.args import JobArgs, JobArgumentError
from streamsoft_jobs.lake import ensure_table, table_path
from streamsoft_jobs.refine_trigger import BATCH, RefineTrigger
from streamsoft_jobs.silver import SILVER_TRADES_SCHEMA

log = logging.getLogger("streamsoft.gold")

DEFAULT_ALERT_THRESHOLD_PCT = Decimal("1.0")


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


@dataclass(frozen=True)
class GoldPaths:
    lake: str

    def of(self, layer: str, table: str) -> str:
        return table_path(self.lake, layer, table)

    @property
    def silver_trades(self) -> str:
        return self.of("silver", "trades")

    @property
    def ohlcv(self) -> str:
        return self.of("gold", "ohlcv_1m")

    @property
    def exchange_activity(self) -> str:
        return self.of("gold", "exchange_activity_hourly")

    @property
    def leaderboard(self) -> str:
        return self.of("gold", "trader_leaderboard_daily")

    @property
    def alerts(self) -> str:
        return self.of("gold", "price_alerts")

    @property
    def health(self) -> str:
        return self.of("gold", "pipeline_health_hourly")


@dataclass(frozen=True)
class GoldTable:
    path: Callable[[GoldPaths], str]
    keys: Sequence[str]
    partition_by: Sequence[str] = ()


OHLCV = GoldTable(lambda p: p.ohlcv, ("symbol", "minute"), ("event_date",))
EXCHANGE_ACTIVITY = GoldTable(lambda p: p.exchange_activity, ("exchange", "hour"))
LEADERBOARD = GoldTable(lambda p: p.leaderboard, ("trade_date", "person_name"))
ALERTS = GoldTable(lambda p: p.alerts, ("operation_id",))
HEALTH = GoldTable(lambda p: p.health, ("hour",))

# The stage tables whose new rows change pipeline health, each with its own stream checkpoint.
HEALTH_SOURCES = (
    ("silver_trades_rejected", "silver", "trades_rejected"),
    ("silver_trades_duplicates", "silver", "trades_duplicates"),
    ("bronze_trades_quarantine", "bronze", "trades_quarantine"),
)


@dataclass
class GoldRunSummary:
    batches: dict[str, int] = field(default_factory=dict)
    rows_in: dict[str, int] = field(default_factory=dict)


def _nullable(schema: StructType) -> StructType:
    return StructType([StructField(f.name, f.dataType, True) for f in schema.fields])


def gold_schemas(spark: SparkSession) -> dict[GoldTable, StructType]:
    """Table schemas are the transforms' output schemas: one source of truth."""
    trades = spark.createDataFrame([], SILVER_TRADES_SCHEMA)
    hours = spark.createDataFrame([], "hour timestamp")
    stage = spark.createDataFrame([], "_ingested_at timestamp, timestamp timestamp")
    return {
        OHLCV: _nullable(ohlcv_1m(trades).schema),
        EXCHANGE_ACTIVITY: _nullable(exchange_activity_hourly(trades).schema),
        LEADERBOARD: _nullable(trader_leaderboard_daily(trades).schema),
        ALERTS: _nullable(price_alerts(trades, ohlcv_1m(trades), DEFAULT_ALERT_THRESHOLD_PCT).schema),
        HEALTH: _nullable(pipeline_health_hourly(hours, stage, stage, stage, stage, stage).schema),
    }


def ensure_gold_tables(spark: SparkSession, paths: GoldPaths) -> None:
    for table, schema in gold_schemas(spark).items():
        ensure_table(spark, table.path(paths), schema, partition_by=table.partition_by)


def _read(spark: SparkSession, path: str, fallback_schema: str) -> DataFrame:
    if DeltaTable.isDeltaTable(spark, path):
        return spark.read.format("delta").load(path)
    return spark.createDataFrame([], fallback_schema)


def _dates_literal(dates: Sequence[dt.date]) -> str:
    return ", ".join(f"DATE'{day.isoformat()}'" for day in sorted(set(dates)))


def _distinct_dates(frame: DataFrame, column: str) -> list[dt.date]:
    return [row[0] for row in frame.select(F.to_date(column)).distinct().collect() if row[0] is not None]


def _silver_on(spark: SparkSession, paths: GoldPaths, dates: Sequence[dt.date]) -> DataFrame:
    """silver.trades narrowed to whole event_date partitions (partition pruning)."""
    return spark.read.format("delta").load(paths.silver_trades).where(F.col("event_date").isin(list(dates)))


def _upsert(spark: SparkSession, table: GoldTable, paths: GoldPaths, rows: DataFrame, prune: str = "") -> None:
    """MERGE recomputed rows for the touched keys: insert new keys, update keys whose values changed."""
    on = " AND ".join(f"t.{key} = s.{key}" for key in table.keys)
    values = [name for name in rows.columns if name not in table.keys]
    changed = " OR ".join(f"NOT (t.{name} <=> s.{name})" for name in values)
    (
        DeltaTable.forPath(spark, table.path(paths))
        .alias("t")
        .merge(rows.alias("s"), f"{prune} AND {on}" if prune else on)
        .whenMatchedUpdateAll(condition=changed)
        .whenNotMatchedInsertAll()
        .execute()
    )


def _replace_alerts(spark: SparkSession, paths: GoldPaths, fresh: DataFrame, minutes: DataFrame) -> None:
    """Alerts of the touched (symbol, minute) keys become exactly `fresh`: a late trade can change the
    previous minute's close and so withdraw an alert as well as raise one. One atomic MERGE."""
    current = spark.read.format("delta").load(paths.alerts)
    stale = (
        current.join(minutes.withColumnRenamed("event_minute", "minute"), ["symbol", "minute"], "left_semi")
        .join(fresh.select("operation_id"), "operation_id", "left_anti")
        .withColumn("_withdrawn", F.lit(True))
    )
    changes = fresh.withColumn("_withdrawn", F.lit(False)).unionByName(stale)
    columns: dict[str, str | Column] = {name: f"s.{name}" for name in fresh.columns}
    changed = " OR ".join(f"NOT (t.{name} <=> s.{name})" for name in fresh.columns)
    (
        DeltaTable.forPath(spark, paths.alerts)
        .alias("t")
        .merge(changes.alias("s"), "t.operation_id = s.operation_id")
        .whenMatchedDelete(condition="s._withdrawn")
        .whenMatchedUpdate(condition=f"NOT s._withdrawn AND ({changed})", set=columns)
        .whenNotMatchedInsert(condition="NOT s._withdrawn", values=columns)
        .execute()
    )


def _hour_ranges(hours: Sequence[dt.datetime]) -> list[tuple[dt.datetime, dt.datetime]]:
    """The touched hours as [start, end) ranges, consecutive hours merged into one range."""
    ranges: list[tuple[dt.datetime, dt.datetime]] = []
    for hour in sorted(set(hours)):
        end = hour + dt.timedelta(hours=1)
        if ranges and ranges[-1][1] == hour:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((hour, end))
    return ranges


# Above this many separate ranges, the filter is one covering range plus an exact hour list: an OR of
# hundreds of ranges overflows Spark's generated code (64 KB) and, at ~600, the JVM stack in Delta's MERGE.
_MAX_HOUR_RANGES = 8


def _hour_filter(hours: Sequence[dt.datetime], column: str = "_ingested_at") -> Column:
    """Rows whose `column` falls in one of the touched hours, as ranges Delta can skip files by (min/max
    statistics on `column`): one range per run of consecutive hours, or, when the hours are scattered, the
    range covering them all narrowed by an exact `date_trunc('hour', column) IN (...)`."""
    ranges = _hour_ranges(hours)
    if len(ranges) <= _MAX_HOUR_RANGES:
        within = [(F.col(column) >= F.lit(start)) & (F.col(column) < F.lit(end)) for start, end in ranges]
        return functools.reduce(lambda a, b: a | b, within)
    covering = (F.col(column) >= F.lit(ranges[0][0])) & (F.col(column) < F.lit(ranges[-1][1]))
    return covering & F.date_trunc("hour", F.col(column)).isin(*[F.lit(h) for h in sorted(set(hours))])


def _stage_rows(spark: SparkSession, path: str, within: Column) -> DataFrame:
    """A stage table's rows in the touched ingest hours, as (_ingested_at, timestamp); empty if absent."""
    rows = _read(spark, path, "_ingested_at timestamp").where(within)
    event_time = F.col("timestamp") if "timestamp" in rows.columns else F.lit(None).cast(TimestampType())
    return rows.select("_ingested_at", event_time.alias("timestamp"))


def refresh_health(spark: SparkSession, paths: GoldPaths, hours: Sequence[dt.datetime]) -> None:
    """Recomputes pipeline health for the touched ingest hours from every stage table."""
    if not hours:
        return
    hours = sorted(set(hours))
    within = _hour_filter(hours)
    stages = [
        _stage_rows(spark, paths.of(layer, table), within)
        for layer, table in (
            ("bronze", "trades"),
            ("bronze", "trades_quarantine"),
            ("silver", "trades_duplicates"),
            ("silver", "trades_rejected"),
            ("silver", "trades"),
        )
    ]
    hour_rows = spark.createDataFrame([(h,) for h in hours], "hour timestamp")
    _upsert(spark, HEALTH, paths, pipeline_health_hourly(hour_rows, *stages))


def _ingest_hours(batch: DataFrame) -> list[dt.datetime]:
    return [row[0] for row in batch.select(F.date_trunc("hour", "_ingested_at")).distinct().collect() if row[0]]


def refresh_from_trades(spark: SparkSession, paths: GoldPaths, batch: DataFrame, threshold_pct: Decimal) -> None:
    """Recomputes every gold key the new silver rows in `batch` touch."""
    minutes = batch.select("symbol", "event_minute").distinct().persist()
    try:
        dates = _distinct_dates(batch, "event_minute")
        prune = f"t.event_date IN ({_dates_literal(dates)})"

        trades = _silver_on(spark, paths, dates).join(F.broadcast(minutes), ["symbol", "event_minute"], "left_semi")
        _upsert(spark, OHLCV, paths, ohlcv_1m(trades), prune)

        # Alerts: the touched minutes and the minute after each (its previous close may have moved).
        alert_minutes = minutes.unionByName(
            minutes.select("symbol", (F.col("event_minute") + F.expr("INTERVAL 1 MINUTE")).alias("event_minute"))
        ).distinct()
        alert_dates = _distinct_dates(alert_minutes, "event_minute")
        bar_dates = sorted({*alert_dates, *(day - dt.timedelta(days=1) for day in alert_dates)})
        alert_trades = _silver_on(spark, paths, alert_dates).join(
            F.broadcast(alert_minutes), ["symbol", "event_minute"], "left_semi"
        )
        bars = (
            spark.read.format("delta")
            .load(paths.ohlcv)
            .where(F.col("event_date").isin(bar_dates))
            .join(
                F.broadcast(
                    alert_minutes.select(
                        "symbol", (F.col("event_minute") - F.expr("INTERVAL 1 MINUTE")).alias("minute")
                    )
                ),
                ["symbol", "minute"],
                "left_semi",
            )
        )
        _replace_alerts(spark, paths, price_alerts(alert_trades, bars, threshold_pct), alert_minutes)

        hours = batch.select("exchange", "event_hour").distinct()
        hour_trades = _silver_on(spark, paths, dates).join(F.broadcast(hours), ["exchange", "event_hour"], "left_semi")
        _upsert(spark, EXCHANGE_ACTIVITY, paths, exchange_activity_hourly(hour_trades))

        _upsert(
            spark,
            LEADERBOARD,
            paths,
            trader_leaderboard_daily(_silver_on(spark, paths, dates)),
            f"t.trade_date IN ({_dates_literal(dates)})",
        )
        refresh_health(spark, paths, _ingest_hours(batch))
    finally:
        minutes.unpersist()


@dataclass(frozen=True)
class GoldSource:
    """One incremental input of gold: a stream over `source` with its own checkpoint `<checkpoint>/<name>`."""

    name: str
    source: str
    on_batch: Callable[[DataFrame], None]


def gold_sources(spark: SparkSession, paths: GoldPaths, alert_threshold_pct: Decimal) -> list[GoldSource]:
    """silver.trades first (it refreshes every trade table and health), then the health-only stage tables."""
    sources = [
        GoldSource(
            "silver_trades",
            paths.silver_trades,
            lambda batch: refresh_from_trades(spark, paths, batch, alert_threshold_pct),
        )
    ]
    for name, layer, table in HEALTH_SOURCES:
        sources.append(
            GoldSource(name, paths.of(layer, table), lambda batch: refresh_health(spark, paths, _ingest_hours(batch)))
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
    """Starts the stream of one gold source (None while its table does not exist yet). Every gold source
    MERGEs into pipeline_health_hourly, so when several run at once (continuous mode) they share `writes`:
    one batch at a time writes gold, as in a batch run."""
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
    ensure_gold_tables(spark, paths)
    summary = GoldRunSummary()
    for source in gold_sources(spark, paths, alert_threshold_pct):
        query = start_gold_source(spark, source, checkpoint_path, summary)
        if query is not None:
            query.awaitTermination()
    log.info("gold run: new rows per source %s", summary.rows_in)
    return summary
