"""The bronze tables' definitions: `bronze.trades` (the reader schema's fields, then lineage and `event_date`)
and `bronze.trades_quarantine`, with their table properties. Silver reads the lineage columns from here.
"""

from __future__ import annotations

from typing import Any, Mapping

from pyspark.sql.types import BinaryType, DateType, IntegerType, StringType, StructField, StructType, TimestampType

from .reader_schemas import ReaderSchema

BRONZE_LAYER = "bronze"
TRADES_TABLE = "trades"
QUARANTINE_TABLE = "trades_quarantine"

# Where a decoded trade came from; silver carries these lineage columns on unchanged.
LINEAGE_FIELDS = StructType(
    [
        StructField("_schema_id", IntegerType()),
        StructField("_source", StringType()),
        StructField("_source_partition", StringType()),
        StructField("_source_offset", StringType()),
        StructField("_arrival_at", TimestampType()),
        StructField("_ingested_at", TimestampType()),
    ]
)


def bronze_trades_schema(reader: ReaderSchema | Mapping[str, Any]) -> StructType:
    """`bronze.trades` for a reader schema: its fields (avro_types), then the lineage columns and `event_date`."""
    reader = reader if isinstance(reader, ReaderSchema) else ReaderSchema(reader)
    return StructType([*reader.fields.fields, *LINEAGE_FIELDS.fields, StructField("event_date", DateType())])


QUARANTINE_SCHEMA = StructType(
    [
        StructField("raw", BinaryType()),
        StructField("reason", StringType()),
        StructField("detail", StringType()),
        StructField("_source", StringType()),
        StructField("_source_partition", StringType()),
        StructField("_source_offset", StringType()),
        StructField("_arrival_at", TimestampType()),
        StructField("_ingested_at", TimestampType()),
    ]
)

# A streaming job commits every few seconds; Delta's default checkpoint every 10 commits made one batch in
# ten ~1.5-2 s slower (the p99 of freshness). Every 100 commits keeps readers' log replay short (≤ 100 small
# JSON files) while making that stall rare.
BRONZE_TABLE_PROPERTIES: Mapping[str, str] = {"delta.checkpointInterval": "100"}
