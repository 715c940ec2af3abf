"""Gold aggregates as pure DataFrame functions over silver rows (already narrowed to the affected keys).

Money stays decimal end to end: sums of decimal(38,4), VWAP and ratios by decimal division (Spark rounds
half-up to the result scale), so an independent computation with Python's Decimal matches exactly.
"""

from __future__ import annotations

from decimal import Decimal

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DecimalType, LongType

from streamsoft_jobs.silver import MONEY

COUNT_TYPE = LongType()
# price_alerts' threshold (in %) when a job is given none (the gold job's --alert-threshold-pct).
DEFAULT_ALERT_THRESHOLD_PCT = Decimal("1.0")


def _count_if(condition: Column) -> Column:
    return F.sum(F.when(condition, 1).otherwise(0)).cast(COUNT_TYPE)


def _sum_money_if(condition: Column, value: str = "notional") -> Column:
    return F.sum(F.when(condition, F.col(value)).otherwise(F.lit(Decimal("0.0000")).cast(MONEY))).cast(MONEY)


def _trade_order() -> Column:
    """Event-time order of trades, ties broken by operation_id so open/close are deterministic."""
    return F.struct(F.col("timestamp"), F.col("operation_id"))


def ohlcv_1m(trades: DataFrame) -> DataFrame:
    """Per symbol and minute: open/high/low/close by event time, volume, trade count, notional, VWAP."""
    return (
        trades.groupBy("symbol", F.col("event_minute").alias("minute"))
        .agg(
            F.min("exchange").alias("exchange"),
            F.min("currency").alias("currency"),
            F.min_by("price", _trade_order()).alias("open"),
            F.max("price").alias("high"),
            F.min("price").alias("low"),
            F.max_by("price", _trade_order()).alias("close"),
            F.sum("quantity").cast(COUNT_TYPE).alias("volume"),
            F.count(F.lit(1)).cast(COUNT_TYPE).alias("trade_count"),
            F.sum("notional").cast(MONEY).alias("notional"),
            F.min("timestamp").alias("first_trade_at"),
            F.max("timestamp").alias("last_trade_at"),
        )
        .withColumn("vwap", (F.col("notional") / F.col("volume").cast(DecimalType(20, 0))).cast(DecimalType(38, 6)))
        .withColumn("event_date", F.to_date("minute"))
        .select(
            "symbol",
            "minute",
            "exchange",
            "currency",
            "open",
            "high",
            "low",
            "close",
            "volume",
            "trade_count",
            "notional",
            "vwap",
            "first_trade_at",
            "last_trade_at",
            "event_date",
        )
    )


def exchange_activity_hourly(trades: DataFrame) -> DataFrame:
    """Per exchange and hour: trades, purchases, sales, notional (exchange currency) and the buy/sell
    imbalance (purchase notional - sale notional) / total notional, in [-1, 1]."""
    purchase = F.col("side_sign") == 1
    return (
        trades.groupBy("exchange", F.col("event_hour").alias("hour"))
        .agg(
            F.min("currency").alias("currency"),
            F.count(F.lit(1)).cast(COUNT_TYPE).alias("trades"),
            _count_if(purchase).alias("purchases"),
            _count_if(~purchase).alias("sales"),
            F.sum("quantity").cast(COUNT_TYPE).alias("volume"),
            F.sum("notional").cast(MONEY).alias("notional"),
            _sum_money_if(purchase).alias("purchase_notional"),
            _sum_money_if(~purchase).alias("sale_notional"),
        )
        .withColumn(
            "buy_sell_imbalance",
            ((F.col("purchase_notional") - F.col("sale_notional")) / F.col("notional")).cast(DecimalType(38, 6)),
        )
        .withColumn("event_date", F.to_date("hour"))
    )


def trader_leaderboard_daily(trades: DataFrame) -> DataFrame:
    """Per day and trader: trade counts and USD notional, ranked 1..n by notional (ties by name)."""
    daily = trades.groupBy(F.col("event_date").alias("trade_date"), "person_name").agg(
        F.count(F.lit(1)).cast(COUNT_TYPE).alias("trades"),
        _count_if(F.col("side_sign") == 1).alias("purchases"),
        _count_if(F.col("side_sign") == -1).alias("sales"),
        F.sum("notional_usd").cast(MONEY).alias("notional_usd"),
    )
    rank = Window.partitionBy("trade_date").orderBy(F.col("notional_usd").desc(), F.col("person_name").asc())
    return daily.withColumn("rank", F.row_number().over(rank).cast(COUNT_TYPE)).select(
        "trade_date", "rank", "person_name", "trades", "purchases", "sales", "notional_usd"
    )


def price_alerts(trades: DataFrame, bars: DataFrame, threshold_pct: Decimal) -> DataFrame:
    """One alert per symbol and minute in which a trade's price is more than `threshold_pct` % away from
    the close of the symbol's previous minute (the bar at minute - 1; no trade in the minute before, no
    alert). The alert is the minute's first crossing trade by event time (ties by operation_id), with
    `crossing_trades` (how many of the minute's trades crossed) and `max_abs_move_pct` (the largest absolute
    move among them): a price jump and the trades that follow it at the new level make one alert, not a
    burst of them."""
    previous = bars.select(
        "symbol",
        (F.col("minute") + F.expr("INTERVAL 1 MINUTE")).alias("event_minute"),
        F.col("minute").alias("prev_minute"),
        F.col("close").alias("prev_close"),
    )
    move = (F.col("price") - F.col("prev_close")) * F.lit(Decimal("100")) / F.col("prev_close")
    threshold = F.lit(threshold_pct).cast(DecimalType(12, 4))
    crossings = (
        trades.join(previous, ["symbol", "event_minute"])
        .withColumn("move_exact", move)
        .filter(F.abs(F.col("move_exact")) > threshold)
        .withColumn("move_pct", F.round("move_exact", 4).cast(DecimalType(18, 4)))
    )
    first = F.struct("operation_id", "exchange", "timestamp", "price", "move_pct", "move_exact")
    return (
        crossings.groupBy("symbol", F.col("event_minute").alias("minute"))
        .agg(
            F.min_by(first, _trade_order()).alias("first"),
            F.min("prev_minute").alias("prev_minute"),
            F.min("prev_close").alias("prev_close"),
            F.count(F.lit(1)).cast(COUNT_TYPE).alias("crossing_trades"),
            F.max(F.abs("move_pct")).cast(DecimalType(18, 4)).alias("max_abs_move_pct"),
            F.min("event_date").alias("event_date"),
        )
        .select(
            "first.operation_id",
            "symbol",
            "first.exchange",
            "minute",
            "first.timestamp",
            "first.price",
            "prev_minute",
            "prev_close",
            "first.move_pct",
            F.when(F.col("first.move_exact") > 0, "up").otherwise("down").alias("direction"),
            "crossing_trades",
            "max_abs_move_pct",
            threshold.alias("threshold_pct"),
            "event_date",
        )
    )


def _ingest_hour() -> Column:
    return F.date_trunc("hour", F.col("_ingested_at")).alias("hour")


def _counts_per_hour(rows: DataFrame, name: str) -> DataFrame:
    return rows.groupBy(_ingest_hour()).agg(F.count(F.lit(1)).cast(COUNT_TYPE).alias(name))


def pipeline_health_hourly(
    hours: DataFrame,
    bronze: DataFrame,
    quarantine: DataFrame,
    duplicates: DataFrame,
    rejected: DataFrame,
    silver: DataFrame,
) -> DataFrame:
    """Per ingest hour (when rows reached bronze): rows at each stage and the ingest lag
    (_ingested_at - event time, ms) p50/p95 over bronze rows, as nearest-rank percentiles."""
    lag_ms = F.expr("(unix_micros(_ingested_at) - unix_micros(timestamp)) div 1000")
    lag = (
        bronze.withColumn("lag_ms", lag_ms)
        .groupBy(_ingest_hour())
        .agg(
            F.count(F.lit(1)).cast(COUNT_TYPE).alias("bronze_rows"),
            F.expr("percentile_disc(0.5) WITHIN GROUP (ORDER BY lag_ms)").cast(COUNT_TYPE).alias("ingest_lag_p50_ms"),
            F.expr("percentile_disc(0.95) WITHIN GROUP (ORDER BY lag_ms)").cast(COUNT_TYPE).alias("ingest_lag_p95_ms"),
        )
    )
    counts = [
        _counts_per_hour(quarantine, "quarantined"),
        _counts_per_hour(duplicates, "duplicates_dropped"),
        _counts_per_hour(rejected, "rejected"),
        _counts_per_hour(silver, "silver_rows"),
    ]
    health = hours.select("hour").distinct().join(lag, "hour", "left")
    for part in counts:
        health = health.join(part, "hour", "left")
    zero = F.lit(0).cast(COUNT_TYPE)
    return health.select(
        "hour",
        F.coalesce("bronze_rows", zero).alias("bronze_rows"),
        F.coalesce("quarantined", zero).alias("quarantined"),
        F.coalesce("duplicates_dropped", zero).alias("duplicates_dropped"),
        F.coalesce("rejected", zero).alias("rejected"),
        F.coalesce("silver_rows", zero).alias("silver_rows"),
        "ingest_lag_p50_ms",
        "ingest_lag_p95_ms",
    )
