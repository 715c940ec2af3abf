"""Silver transforms on small inline batches: every data-quality rule, the deduplication winner, enrichment."""

from __future__ import annotations

from typing import Any

import datetime as dt
from decimal import Decimal

from pyspark.sql import DataFrame, SparkSession

from streamsoft_jobs.quality import RULE_NAMES, QualityPolicy
from streamsoft_jobs.silver import ALREADY_PROCESSED, DUPLICATE_IN_BATCH, classify, seen_keys
from synthetic_bronze import BASE_TIME, BRONZE_TRADES_SCHEMA, bronze_row

POLICY = QualityPolicy()


def frame(spark: SparkSession, rows: list[dict[str, Any]]) -> DataFrame:
    names = [field.name for field in BRONZE_TRADES_SCHEMA.fields]
    return spark.createDataFrame([tuple(row[n] for n in names) for row in rows], BRONZE_TRADES_SCHEMA)


def no_seen(spark: SparkSession) -> DataFrame:
    return seen_keys(
        spark.createDataFrame([], "trade_key string, _source string, _source_partition string, _source_offset string")
    )


# One row per rule, each breaking exactly that rule.
BREAKERS: dict[str, dict[str, Any]] = {
    "missing_field": {"price": None},
    "malformed_operation_id": {"operation_id": "not-a-uuid"},
    "empty_trader_name": {"person_name": "   "},
    "malformed_symbol": {"symbol": "aapl!"},
    "unknown_exchange": {"exchange": "MOON", "currency": "USD"},
    "currency_mismatch": {"exchange": "LSE", "currency": "USD"},
    "unknown_operation": {"operation": "short"},
    "non_positive_price": {"price": Decimal("0.0000")},
    "non_positive_quantity": {"quantity": -5},
    "notional_out_of_range": {"price": Decimal("99999999999999.0000"), "quantity": 100_000},
    "future_event_time": {
        "timestamp": BASE_TIME + dt.timedelta(minutes=10),
        "_arrival_at": BASE_TIME,
        "event_date": BASE_TIME.date(),
    },
    "too_late": {
        "timestamp": BASE_TIME - dt.timedelta(days=7, seconds=1),
        "_arrival_at": BASE_TIME,
        "event_date": (BASE_TIME - dt.timedelta(days=8)).date(),
    },
}


def test_every_rule_rejects_exactly_its_row_and_names_the_rule(spark: SparkSession) -> None:
    assert set(BREAKERS) == set(RULE_NAMES)
    rows = {rule: bronze_row(**overrides) for rule, overrides in BREAKERS.items()}
    good = bronze_row()
    parts = classify(frame(spark, [*rows.values(), good]), no_seen(spark), POLICY)

    rejected = {r["trade_key"]: (r["rule"], list(r["failed_rules"])) for r in parts.rejected.collect()}
    assert rejected == {row["operation_id"]: (rule, [rule]) for rule, row in rows.items()}
    assert [r["operation_id"] for r in parts.trades.collect()] == [good["operation_id"]]
    assert parts.duplicates.count() == 0


def test_lateness_and_future_tolerance_boundaries_are_inclusive(spark: SparkSession) -> None:
    edge_late = bronze_row(timestamp=BASE_TIME - dt.timedelta(days=7), _arrival_at=BASE_TIME)
    edge_future = bronze_row(timestamp=BASE_TIME + dt.timedelta(minutes=5), _arrival_at=BASE_TIME)
    no_arrival = bronze_row(_arrival_at=None, _ingested_at=BASE_TIME - dt.timedelta(minutes=6))
    parts = classify(frame(spark, [edge_late, edge_future, no_arrival]), no_seen(spark), POLICY)
    assert {r["operation_id"] for r in parts.trades.collect()} == {
        edge_late["operation_id"],
        edge_future["operation_id"],
    }
    # Without an arrival time the ingest time is the reference: 6 minutes before the event is too far.
    assert [(r["operation_id"], r["rule"]) for r in parts.rejected.collect()] == [
        (no_arrival["operation_id"], "future_event_time")
    ]


def test_several_failures_are_all_listed_and_the_first_is_the_rule(spark: SparkSession) -> None:
    row = bronze_row(symbol="??", price=Decimal("-1.0000"), quantity=0)
    parts = classify(frame(spark, [row]), no_seen(spark), POLICY)
    (rejected,) = parts.rejected.collect()
    assert rejected["rule"] == "malformed_symbol"
    assert list(rejected["failed_rules"]) == ["malformed_symbol", "non_positive_price", "non_positive_quantity"]


def test_earliest_arrival_wins_then_partition_then_numeric_offset(spark: SparkSession) -> None:
    first = bronze_row(_arrival_at=BASE_TIME, _source_partition="shard-2", _source_offset="900")
    same_time_lower_offset = dict(first, _source_offset="1000", _source_partition="shard-1")
    later = dict(first, _arrival_at=BASE_TIME + dt.timedelta(seconds=3), _source_partition="shard-0")
    numeric = bronze_row(_arrival_at=BASE_TIME, _source_partition="p", _source_offset="10")
    numeric_low = dict(numeric, _source_offset="9")
    parts = classify(frame(spark, [later, first, same_time_lower_offset, numeric, numeric_low]), no_seen(spark), POLICY)
    won = {(r["operation_id"], r["_source_partition"], r["_source_offset"]) for r in parts.trades.collect()}
    assert won == {(first["operation_id"], "shard-1", "1000"), (numeric["operation_id"], "p", "9")}
    dropped = sorted((r["_source_partition"], r["_source_offset"], r["reason"]) for r in parts.duplicates.collect())
    assert dropped == [
        ("p", "10", DUPLICATE_IN_BATCH),
        ("shard-0", "900", DUPLICATE_IN_BATCH),
        ("shard-2", "900", DUPLICATE_IN_BATCH),
    ]


def test_keys_seen_elsewhere_are_duplicates_and_the_same_row_again_is_a_replay(spark: SparkSession) -> None:
    seen_before = bronze_row()
    replayed = bronze_row()
    fresh = bronze_row()
    processed = spark.createDataFrame(
        [
            (seen_before["operation_id"], "kinesis", "shardId-000000000000", "earlier-offset"),
            (replayed["operation_id"], replayed["_source"], replayed["_source_partition"], replayed["_source_offset"]),
        ],
        "trade_key string, _source string, _source_partition string, _source_offset string",
    )
    parts = classify(frame(spark, [seen_before, replayed, fresh]), seen_keys(processed), POLICY)
    assert [r["operation_id"] for r in parts.trades.collect()] == [fresh["operation_id"]]
    assert [(r["operation_id"], r["reason"]) for r in parts.duplicates.collect()] == [
        (seen_before["operation_id"], ALREADY_PROCESSED)
    ]
    assert parts.rejected.count() == 0


def test_enrichment_is_exact_and_uses_exchange_reference_data(spark: SparkSession) -> None:
    tokyo = bronze_row(
        symbol="7203",
        exchange="JPX",
        currency="JPY",
        price=Decimal("2647.5001"),
        quantity=300,
        operation="sale",
        timestamp=dt.datetime(2026, 11, 20, 23, 59, 59, 999000, tzinfo=dt.timezone.utc),
    )
    parts = classify(frame(spark, [tokyo]), no_seen(spark), POLICY)
    (row,) = parts.trades.collect()
    assert row["notional"] == Decimal("794250.0300")
    # 794250.03 * 0.0067 = 5321.475201 -> rounded half-up to 4 places
    assert row["notional_usd"] == Decimal("5321.4752")
    assert row["side_sign"] == -1
    assert row["exchange_country"] == "JP"
    assert row["exchange_timezone"] == "Asia/Tokyo"
    assert row["exchange_local_time"] == "2026-11-21T08:59:59.999"
    assert row["event_minute"] == dt.datetime(2026, 11, 20, 23, 59)
    assert row["event_hour"] == dt.datetime(2026, 11, 20, 23, 0)
    assert row["event_date"] == dt.date(2026, 11, 20)
    assert parts.trades.schema["notional"].dataType.simpleString() == "decimal(38,4)"
