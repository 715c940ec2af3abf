"""Recomputing the gold keys a batch of new rows touches, from silver, and MERGEing them into gold.

Recomputing a touched key from silver (rather than adding the batch to the old value) is what keeps gold
right for late trades and for batches replayed after a crash; the partition filters keep the cost of a run
proportional to the days and hours it touches, not to the table size.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Sequence

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import TimestampType

from streamsoft_jobs.gold import (
    exchange_activity_hourly,
    ohlcv_1m,
    pipeline_health_hourly,
    price_alerts,
    trader_leaderboard_daily,
)
from streamsoft_jobs.gold_tables import EXCHANGE_ACTIVITY, HEALTH, LEADERBOARD, OHLCV, GoldPaths, GoldTable
from streamsoft_jobs.time_ranges import HOUR, MINUTE, bucket_filter


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
    """Alerts of the touched (symbol, minute) keys become exactly `fresh` (at most one row per key, keyed by
    its first crossing trade's operation_id): a late trade can change the previous minute's close and so
    withdraw an alert as well as raise one, or become the minute's first crossing trade, whose row then
    replaces the one of the trade it precedes. A stored row of a touched key is stale when its operation_id
    is not in `fresh`, which also clears rows of the older one-per-trade shape. One atomic MERGE."""
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


def _minute_values(minutes: DataFrame) -> list[dt.datetime]:
    return [row[0] for row in minutes.select("event_minute").distinct().collect() if row[0] is not None]


def _stage_rows(spark: SparkSession, path: str, within: Column) -> DataFrame:
    """A stage table's rows in the touched ingest hours, as (_ingested_at, timestamp); empty if absent."""
    rows = _read(spark, path, "_ingested_at timestamp").where(within)
    event_time = F.col("timestamp") if "timestamp" in rows.columns else F.lit(None).cast(TimestampType())
    return rows.select("_ingested_at", event_time.alias("timestamp"))


def ingest_hours(batch: DataFrame) -> list[dt.datetime]:
    """The hours (of `_ingested_at`) the rows of `batch` reached their stage in."""
    return [row[0] for row in batch.select(F.date_trunc("hour", "_ingested_at")).distinct().collect() if row[0]]


def refresh_health(spark: SparkSession, paths: GoldPaths, hours: Sequence[dt.datetime]) -> None:
    """Recomputes pipeline health for the touched ingest hours from every stage table."""
    if not hours:
        return
    hours = sorted(set(hours))
    within = bucket_filter(hours, HOUR, "_ingested_at")
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


def refresh_alerts(spark: SparkSession, paths: GoldPaths, alert_minutes: DataFrame, threshold_pct: Decimal) -> None:
    """Recomputes the alerts of the (symbol, event_minute) keys in `alert_minutes` from silver's trades in
    those minutes and the stored bars of the minutes before them, and replaces the keys' alerts with them."""
    minutes = _minute_values(alert_minutes)
    if not minutes:
        return
    alert_dates = _distinct_dates(alert_minutes, "event_minute")
    bar_dates = sorted({*alert_dates, *(day - dt.timedelta(days=1) for day in alert_dates)})
    # The minute ranges let Delta skip the day's files that hold none of these minutes.
    alert_trades = (
        _silver_on(spark, paths, alert_dates)
        .where(bucket_filter(minutes, MINUTE, "event_minute"))
        .join(F.broadcast(alert_minutes), ["symbol", "event_minute"], "left_semi")
    )
    bars = (
        spark.read.format("delta")
        .load(paths.ohlcv)
        .where(F.col("event_date").isin(bar_dates))
        .join(
            F.broadcast(
                alert_minutes.select("symbol", (F.col("event_minute") - F.expr("INTERVAL 1 MINUTE")).alias("minute"))
            ),
            ["symbol", "minute"],
            "left_semi",
        )
    )
    _replace_alerts(spark, paths, price_alerts(alert_trades, bars, threshold_pct), alert_minutes)


def refresh_minutes(spark: SparkSession, paths: GoldPaths, batch: DataFrame, threshold_pct: Decimal) -> None:
    """Recomputes the minute-grain gold keys (ohlcv_1m, price_alerts) the new silver rows in `batch` touch:
    the dashboard's fast path, whose cost follows the minutes a batch touches."""
    minutes = batch.select("symbol", "event_minute").distinct().persist()
    try:
        touched = _minute_values(minutes)
        if not touched:
            return
        dates = _distinct_dates(batch, "event_minute")
        prune = f"t.event_date IN ({_dates_literal(dates)})"

        # The minute ranges let Delta skip the day's files that hold none of the touched minutes.
        trades = (
            _silver_on(spark, paths, dates)
            .where(bucket_filter(touched, MINUTE, "event_minute"))
            .join(F.broadcast(minutes), ["symbol", "event_minute"], "left_semi")
        )
        _upsert(spark, OHLCV, paths, ohlcv_1m(trades), prune)

        # Alerts: the touched minutes and the minute after each (its previous close may have moved).
        alert_minutes = minutes.unionByName(
            minutes.select("symbol", (F.col("event_minute") + F.expr("INTERVAL 1 MINUTE")).alias("event_minute"))
        ).distinct()
        refresh_alerts(spark, paths, alert_minutes, threshold_pct)
    finally:
        minutes.unpersist()


def recompute_per_trade_alerts(spark: SparkSession, paths: GoldPaths, threshold_pct: Decimal) -> int:
    """Brings alerts written when price_alerts held one row per crossing trade (their `crossing_trades`
    is null) to one row per (symbol, minute): their minutes are recomputed as a batch touching them would
    be. Returns how many (symbol, minute) keys that was; 0, with no Delta version, once none is left."""
    old = (
        spark.read.format("delta")
        .load(paths.alerts)
        .where(F.col("crossing_trades").isNull())
        .select("symbol", F.col("minute").alias("event_minute"))
        .distinct()
        .persist()
    )
    try:
        keys = old.count()
        if keys:
            refresh_alerts(spark, paths, old, threshold_pct)
        return keys
    finally:
        old.unpersist()


def refresh_rollups(spark: SparkSession, paths: GoldPaths, batch: DataFrame) -> None:
    """Recomputes the hour- and day-grain gold keys the new silver rows in `batch` touch: exchange activity
    per hour, the daily leaderboard (a day's ranking needs the whole day) and pipeline health. Their cost
    follows the hours and days touched, so continuous mode runs them on a slower trigger than the minutes."""
    dates = _distinct_dates(batch, "event_minute")
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
    refresh_health(spark, paths, ingest_hours(batch))
