"""Silver transforms: one winner per trade, classified as new / duplicate / rejected, and enriched.

Pure DataFrame functions; the streaming and MERGE wiring lives in silver_job.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DateType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from streamsoft_jobs.bronze_tables import LINEAGE_FIELDS
from streamsoft_jobs.quality import QualityPolicy, with_failed_rules
from streamsoft_jobs.reference import exchange_country, exchange_timezone, exchange_usd_rate

PRICE = DecimalType(18, 4)
MONEY = DecimalType(38, 4)
COORDINATES = ("_source", "_source_partition", "_source_offset")

# Column order matters: Delta keeps min/max statistics for the first 32 columns, and gold prunes silver
# files by symbol, event_minute and _ingested_at.
SILVER_TRADES_SCHEMA = StructType(
    [
        StructField("operation_id", StringType()),
        StructField("symbol", StringType()),
        StructField("exchange", StringType()),
        StructField("currency", StringType()),
        StructField("operation", StringType()),
        StructField("side_sign", IntegerType()),
        StructField("price", PRICE),
        StructField("quantity", LongType()),
        StructField("notional", MONEY),
        StructField("notional_usd", MONEY),
        StructField("person_name", StringType()),
        StructField("broker", StringType()),
        StructField("timestamp", TimestampType()),
        StructField("event_minute", TimestampType()),
        StructField("event_hour", TimestampType()),
        StructField("exchange_country", StringType()),
        StructField("exchange_timezone", StringType()),
        StructField("exchange_local_time", StringType()),
        *LINEAGE_FIELDS.fields,
        StructField("event_date", DateType()),
    ]
)

# The bronze trade columns silver reads (the rest of silver.trades is derived or lineage).
_BRONZE_TRADE_COLUMNS = (
    "operation_id", "person_name", "symbol", "timestamp", "exchange", "currency", "price", "operation",
    "quantity", "broker",
)  # fmt: skip

SILVER_REJECTED_SCHEMA = StructType(
    [
        StructField("trade_key", StringType()),
        StructField("rule", StringType()),
        StructField("failed_rules", ArrayType(StringType())),
        *[field for field in SILVER_TRADES_SCHEMA.fields if field.name in _BRONZE_TRADE_COLUMNS],
        *LINEAGE_FIELDS.fields,
        StructField("event_date", DateType()),
    ]
)

SILVER_DUPLICATES_SCHEMA = StructType(
    [
        StructField("operation_id", StringType()),
        StructField("reason", StringType()),
        *LINEAGE_FIELDS.fields,
        StructField("event_date", DateType()),
    ]
)

# Columns silver adds while it classifies a batch; never carried into a table.
_WORKING_COLUMNS = frozenset({"trade_key", "_arrival_rank", "_seen_at", "failed_rules", "rule", "reason"})
_KNOWN_BRONZE_COLUMNS = frozenset({*_BRONZE_TRADE_COLUMNS, *LINEAGE_FIELDS.names, "event_date"})


class SilverSchemaClash(ValueError):
    """A new bronze column has the name of a column silver derives."""


def passthrough_columns(columns: list[str]) -> list[str]:
    """The columns of a bronze batch silver knows nothing of (fields added by a newer Trade version), in
    bronze order: silver.trades and silver.trades_rejected carry them unchanged, after their own columns.
    A name silver already uses for a derived column is a clash, reported naming the column (LAKE.md)."""
    extra = [name for name in columns if name not in _KNOWN_BRONZE_COLUMNS and name not in _WORKING_COLUMNS]
    derived = set(SILVER_TRADES_SCHEMA.names) | set(SILVER_REJECTED_SCHEMA.names)
    for name in extra:
        if name in derived:
            raise SilverSchemaClash(
                f"bronze.trades column {name} has the name of a column silver derives; rename the Avro field"
            )
    return extra


DUPLICATE_IN_BATCH = "duplicate_in_batch"
ALREADY_PROCESSED = "already_processed"


@dataclass(frozen=True)
class ClassifiedBatch:
    """Where every bronze row of a batch goes. Rows already written by an earlier attempt at this same
    batch (same source coordinates) appear in none of the three: they were accounted for then."""

    trades: DataFrame
    rejected: DataFrame
    duplicates: DataFrame


def trade_key() -> Column:
    """The deduplication key: operation_id, or the source coordinates for a row that has none."""
    return F.coalesce(
        F.col("operation_id"),
        F.concat_ws(":", F.lit("_source"), *[F.col(name) for name in COORDINATES]),
    )


def _coordinates() -> Column:
    return F.concat_ws("\u0000", *[F.coalesce(F.col(name), F.lit("")) for name in COORDINATES])


def arrival_order() -> list[Column]:
    """First arrival wins; ties broken by source partition, then numeric offset (shorter digit strings first)."""
    return [
        F.coalesce(F.col("_arrival_at"), F.col("_ingested_at")).asc_nulls_last(),
        F.col("_source_partition").asc_nulls_last(),
        F.length(F.col("_source_offset")).asc_nulls_last(),
        F.col("_source_offset").asc_nulls_last(),
    ]


def rank_arrivals(bronze: DataFrame) -> DataFrame:
    """Adds `trade_key` and `_arrival_rank` (1 = the row that wins within this batch)."""
    keyed = bronze.withColumn("trade_key", trade_key())
    window = Window.partitionBy("trade_key").orderBy(*arrival_order())
    return keyed.withColumn("_arrival_rank", F.row_number().over(window))


def seen_keys(processed: DataFrame) -> DataFrame:
    """(trade_key, _seen_at) from rows already in silver or rejected: where each key was first seen."""
    return processed.groupBy("trade_key").agg(F.collect_set(_coordinates()).alias("_seen_at"))


def classify(bronze: DataFrame, seen: DataFrame, policy: QualityPolicy) -> ClassifiedBatch:
    """Splits one batch of bronze rows given the keys already processed (`seen_keys` of silver + rejected)."""
    ranked = rank_arrivals(bronze)
    losers = ranked.filter(F.col("_arrival_rank") > 1).withColumn("reason", F.lit(DUPLICATE_IN_BATCH))
    winners = ranked.filter(F.col("_arrival_rank") == 1).join(seen, "trade_key", "left")
    already = winners.filter(
        F.col("_seen_at").isNotNull() & ~F.array_contains(F.col("_seen_at"), _coordinates())
    ).withColumn("reason", F.lit(ALREADY_PROCESSED))
    fresh = with_failed_rules(winners.filter(F.col("_seen_at").isNull()), policy)

    duplicates = losers.unionByName(already.drop("_seen_at")).select(
        *[field.name for field in SILVER_DUPLICATES_SCHEMA.fields]
    )
    rejected = (
        fresh.filter(F.size("failed_rules") > 0)
        .withColumn("rule", F.col("failed_rules")[0])
        .select(*[field.name for field in SILVER_REJECTED_SCHEMA.fields], *passthrough_columns(bronze.columns))
    )
    trades = enrich(fresh.filter(F.size("failed_rules") == 0))
    return ClassifiedBatch(trades=trades, rejected=rejected, duplicates=duplicates)


def enrich(valid: DataFrame) -> DataFrame:
    """Valid trades in silver.trades shape: exact notional, USD notional, side, time buckets, exchange facts."""
    notional = (F.col("price") * F.col("quantity").cast(DecimalType(19, 0))).cast(MONEY)
    # notional < 10^18 (quality rule), so decimal(24,4) * decimal(12,8) is exact before the one rounding.
    notional_usd = F.round(notional.cast(DecimalType(24, 4)) * exchange_usd_rate(F.col("exchange")), 4).cast(MONEY)
    timezone = exchange_timezone(F.col("exchange"))
    return (
        valid.withColumn("side_sign", F.when(F.col("operation") == "purchase", 1).otherwise(-1).cast(IntegerType()))
        .withColumn("notional", notional)
        .withColumn("notional_usd", notional_usd)
        .withColumn("event_minute", F.date_trunc("minute", F.col("timestamp")))
        .withColumn("event_hour", F.date_trunc("hour", F.col("timestamp")))
        .withColumn("exchange_country", exchange_country(F.col("exchange")))
        .withColumn("exchange_timezone", timezone)
        .withColumn(
            "exchange_local_time",
            F.date_format(F.from_utc_timestamp(F.col("timestamp"), timezone), "yyyy-MM-dd'T'HH:mm:ss.SSS"),
        )
        .withColumn("event_date", F.to_date(F.col("timestamp")))
        .select(*[field.name for field in SILVER_TRADES_SCHEMA.fields], *passthrough_columns(valid.columns))
    )
