"""Gold aggregates on small inline silver batches: OHLCV/VWAP, exchange activity, leaderboard, alerts, health."""

from __future__ import annotations

from typing import Any

import datetime as dt
from decimal import Decimal

from pyspark.sql import DataFrame, SparkSession

from streamsoft_jobs.gold import (
    exchange_activity_hourly,
    ohlcv_1m,
    pipeline_health_hourly,
    price_alerts,
    trader_leaderboard_daily,
)
from streamsoft_jobs.silver import enrich
from synthetic_bronze import BRONZE_TRADES_SCHEMA, bronze_row

T0 = dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.timezone.utc)
NAIVE_T0 = T0.replace(tzinfo=None)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def silver(spark: SparkSession, rows: list[dict[str, Any]]) -> DataFrame:
    names = [field.name for field in BRONZE_TRADES_SCHEMA.fields]
    return enrich(spark.createDataFrame([tuple(r[n] for n in names) for r in rows], BRONZE_TRADES_SCHEMA))


def test_ohlcv_orders_by_event_time_with_operation_id_tiebreak_and_exact_vwap(spark: SparkSession) -> None:
    rows = [
        bronze_row(timestamp=at(30), price=Decimal("101.0000"), quantity=1),
        bronze_row(
            timestamp=at(5), price=Decimal("100.0000"), quantity=2, operation_id="00000000-0000-4000-8000-00000000000b"
        ),
        bronze_row(
            timestamp=at(5), price=Decimal("99.5000"), quantity=3, operation_id="00000000-0000-4000-8000-00000000000a"
        ),
        bronze_row(
            timestamp=at(59.999),
            price=Decimal("100.2500"),
            quantity=1,
            operation_id="00000000-0000-4000-8000-00000000000c",
        ),
        bronze_row(
            timestamp=at(59.999),
            price=Decimal("100.3333"),
            quantity=1,
            operation_id="00000000-0000-4000-8000-00000000000d",
        ),
        bronze_row(timestamp=at(60), price=Decimal("50.0000"), quantity=7),  # next minute
        bronze_row(symbol="MSFT", timestamp=at(10), price=Decimal("400.0000"), quantity=1),
    ]
    bars = {(r["symbol"], r["minute"]): r for r in ohlcv_1m(silver(spark, rows)).collect()}
    bar = bars[("AAPL", NAIVE_T0)]
    assert (bar["open"], bar["high"], bar["low"], bar["close"]) == (
        Decimal("99.5000"),
        Decimal("101.0000"),
        Decimal("99.5000"),
        Decimal("100.3333"),
    )
    assert (bar["volume"], bar["trade_count"]) == (8, 5)
    assert bar["notional"] == Decimal("800.0833")
    # 800.0833 / 8 = 100.0104125 -> half-up at 6 places
    assert bar["vwap"] == Decimal("100.010413")
    assert bars[("AAPL", NAIVE_T0 + dt.timedelta(minutes=1))]["trade_count"] == 1
    assert bars[("MSFT", NAIVE_T0)]["vwap"] == Decimal("400.000000")
    assert len(bars) == 3


def test_exchange_activity_counts_sides_and_imbalance(spark: SparkSession) -> None:
    rows = [
        bronze_row(operation="purchase", price=Decimal("10.0000"), quantity=3),
        bronze_row(operation="purchase", symbol="MSFT", price=Decimal("5.0000"), quantity=2),
        bronze_row(operation="sale", price=Decimal("20.0000"), quantity=1),
        bronze_row(operation="sale", timestamp=at(3600), price=Decimal("1.0000"), quantity=1),
        bronze_row(exchange="LSE", currency="GBP", symbol="SHEL", price=Decimal("27.0500"), quantity=4),
    ]
    activity = {(r["exchange"], r["hour"]): r for r in exchange_activity_hourly(silver(spark, rows)).collect()}
    nasdaq = activity[("NASDAQ", NAIVE_T0.replace(minute=0))]
    assert (nasdaq["trades"], nasdaq["purchases"], nasdaq["sales"], nasdaq["volume"]) == (3, 2, 1, 6)
    assert (nasdaq["notional"], nasdaq["purchase_notional"], nasdaq["sale_notional"]) == (
        Decimal("60.0000"),
        Decimal("40.0000"),
        Decimal("20.0000"),
    )
    assert nasdaq["buy_sell_imbalance"] == Decimal("0.333333")
    assert activity[("NASDAQ", NAIVE_T0.replace(minute=0) + dt.timedelta(hours=1))]["buy_sell_imbalance"] == Decimal(
        "-1.000000"
    )
    assert activity[("LSE", NAIVE_T0.replace(minute=0))]["currency"] == "GBP"


def test_leaderboard_ranks_by_usd_notional_with_name_tiebreak(spark: SparkSession) -> None:
    rows = [
        bronze_row(person_name="Bea", price=Decimal("100.0000"), quantity=1),
        bronze_row(person_name="Al", price=Decimal("50.0000"), quantity=2, operation="sale"),
        # 10000 JPY * 0.0067 = 67 USD: less than 100 USD despite the bigger number
        bronze_row(
            person_name="Cy", exchange="JPX", currency="JPY", symbol="7203", price=Decimal("100.0000"), quantity=100
        ),
        bronze_row(person_name="Bea", timestamp=at(86400), price=Decimal("1.0000"), quantity=1),
    ]
    board = [
        (
            r["trade_date"].isoformat(),
            r["rank"],
            r["person_name"],
            r["trades"],
            r["purchases"],
            r["sales"],
            r["notional_usd"],
        )
        for r in trader_leaderboard_daily(silver(spark, rows)).orderBy("trade_date", "rank").collect()
    ]
    assert board == [
        ("2026-11-20", 1, "Al", 1, 0, 1, Decimal("100.0000")),
        ("2026-11-20", 2, "Bea", 1, 1, 0, Decimal("100.0000")),
        ("2026-11-20", 3, "Cy", 1, 1, 0, Decimal("67.0000")),
        ("2026-11-21", 1, "Bea", 1, 1, 0, Decimal("1.0000")),
    ]


def test_alerts_compare_with_the_previous_minutes_close_one_alert_per_symbol_and_minute(spark: SparkSession) -> None:
    def op(n: int) -> str:
        return f"00000000-0000-4000-8000-{n:012d}"

    rows = [
        bronze_row(timestamp=at(10), price=Decimal("100.0000")),
        bronze_row(timestamp=at(50), price=Decimal("200.0000")),  # close of minute 0
        bronze_row(timestamp=at(61), price=Decimal("202.0000"), operation_id=op(1)),  # exactly 1 %: no crossing
        bronze_row(timestamp=at(62), price=Decimal("202.0001"), operation_id=op(2)),  # the first crossing
        bronze_row(timestamp=at(63), price=Decimal("197.9999"), operation_id=op(3)),
        bronze_row(timestamp=at(64), price=Decimal("190.0000"), operation_id=op(4)),  # the largest move; close
        # minute 2: two crossings at the same instant, the smaller operation_id is first
        bronze_row(timestamp=at(130), price=Decimal("180.0000"), operation_id=op(6)),
        bronze_row(timestamp=at(130), price=Decimal("200.0000"), operation_id=op(5)),
        bronze_row(timestamp=at(130), price=Decimal("190.0000"), operation_id=op(7)),  # no move
        bronze_row(timestamp=at(241), price=Decimal("500.0000")),  # minute 4: no bar at minute 3, no alert
        # another symbol's alert in minute 1 is its own row
        bronze_row(timestamp=at(30), symbol="MSFT", price=Decimal("50.0000")),
        bronze_row(timestamp=at(70), symbol="MSFT", price=Decimal("51.0000"), operation_id=op(8)),
    ]
    trades = silver(spark, rows)
    alerts = price_alerts(trades, ohlcv_1m(trades), Decimal("1.0"))
    got = sorted(
        (
            r["symbol"],
            r["minute"],
            r["operation_id"],
            r["timestamp"],
            r["price"],
            r["prev_close"],
            r["move_pct"],
            r["direction"],
            r["crossing_trades"],
            r["max_abs_move_pct"],
        )
        for r in alerts.collect()
    )
    minute = dt.timedelta(minutes=1)
    assert got == [
        (
            "AAPL", NAIVE_T0 + minute, op(2), NAIVE_T0 + dt.timedelta(seconds=62), Decimal("202.0001"),
            Decimal("200.0000"), Decimal("1.0001"), "up", 3, Decimal("5.0000"),
        ),
        (
            "AAPL", NAIVE_T0 + 2 * minute, op(5), NAIVE_T0 + dt.timedelta(seconds=130), Decimal("200.0000"),
            Decimal("190.0000"), Decimal("5.2632"), "up", 2, Decimal("5.2632"),
        ),
        (
            "MSFT", NAIVE_T0 + minute, op(8), NAIVE_T0 + dt.timedelta(seconds=70), Decimal("51.0000"),
            Decimal("50.0000"), Decimal("2.0000"), "up", 1, Decimal("2.0000"),
        ),
    ]  # fmt: skip
    assert dict(alerts.dtypes)["crossing_trades"] == "bigint"
    assert dict(alerts.dtypes)["max_abs_move_pct"] == "decimal(18,4)"


def test_health_counts_every_stage_per_ingest_hour_with_nearest_rank_lag(spark: SparkSession) -> None:
    hour = dt.datetime(2026, 11, 20, 14, 0)
    other = hour + dt.timedelta(hours=1)
    schema = "_ingested_at timestamp, timestamp timestamp"
    lags = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
    ingested = hour + dt.timedelta(minutes=30)
    bronze = spark.createDataFrame(
        [(ingested, ingested - dt.timedelta(milliseconds=lag)) for lag in lags] + [(other, other)], schema
    )
    one = spark.createDataFrame([(ingested, None)], schema)
    two = spark.createDataFrame([(ingested, None), (ingested, None)], schema)
    none = spark.createDataFrame([], schema)
    hours = spark.createDataFrame([(hour,), (hour - dt.timedelta(hours=5),)], "hour timestamp")
    health = {r["hour"]: r for r in pipeline_health_hourly(hours, bronze, one, two, none, bronze.limit(7)).collect()}
    row = health[hour]
    assert (row["bronze_rows"], row["quarantined"], row["duplicates_dropped"], row["rejected"]) == (10, 1, 2, 0)
    assert (row["ingest_lag_p50_ms"], row["ingest_lag_p95_ms"]) == (500, 1000)
    empty = health[hour - dt.timedelta(hours=5)]
    assert (empty["bronze_rows"], empty["silver_rows"], empty["ingest_lag_p50_ms"]) == (0, 0, None)
    assert other not in health
