"""Bronze's pure transforms: source rows → frames → decoded rows (mapInArrow over fastavro), and decoded rows
in the shape of `bronze.trades` or `bronze.trades_quarantine` (bronze_tables.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Iterator, Mapping

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, IntegerType, StringType, StructField, StructType, TimestampType

from .avro_types import record_arrow_fields
from .bronze_tables import QUARANTINE_SCHEMA, bronze_trades_schema
from .reader_schemas import ReaderSchema
from .registry import registry_client
from .trade_decoding import TradeDecoder

# One source record, whatever the transport: the framed bytes and where they came from.
FRAME_SCHEMA = StructType(
    [
        StructField("raw", BinaryType()),
        StructField("_source", StringType()),
        StructField("_source_partition", StringType()),
        StructField("_source_offset", StringType()),
        StructField("_arrival_at", TimestampType()),
    ]
)

# Between the frame and the trade fields of a decoded row: the writer schema id and, for a row that goes to
# quarantine, why.
DECODE_STATUS_FIELDS = StructType(
    [
        StructField("_schema_id", IntegerType()),
        StructField("reason", StringType()),
        StructField("detail", StringType()),
    ]
)


def decoded_schema(reader: ReaderSchema) -> StructType:
    """A decoded frame: the frame, its decode status, then the reader schema's fields (null when quarantined)."""
    return StructType([*FRAME_SCHEMA.fields, *DECODE_STATUS_FIELDS.fields, *reader.fields.fields])


def kinesis_frames(df: DataFrame) -> DataFrame:
    """Rows of the Kinesis source (`data`, `shardId`, `sequenceNumber`, ...) as frames."""
    return df.select(
        F.col("data").alias("raw"),
        F.lit("kinesis").alias("_source"),
        F.col("shardId").alias("_source_partition"),
        F.col("sequenceNumber").alias("_source_offset"),
        F.col("approximateArrivalTimestamp").alias("_arrival_at"),
    )


def kafka_frames(df: DataFrame) -> DataFrame:
    """Rows of Spark's Kafka source (`value`, `partition`, `offset`, `timestamp`) as frames."""
    return df.select(
        F.col("value").alias("raw"),
        F.lit("kafka").alias("_source"),
        F.col("partition").cast("string").alias("_source_partition"),
        F.col("offset").cast("string").alias("_source_offset"),
        F.col("timestamp").alias("_arrival_at"),
    )


def _decode_batches(
    batches: Iterable[pa.RecordBatch],
    reader: ReaderSchema,
    registry_url: str | None,
    static_schemas: Mapping[int, Mapping[str, Any]],
) -> Iterator[pa.RecordBatch]:
    def lookup(schema_id: int) -> Mapping[str, Any] | None:
        if schema_id in static_schemas:
            return static_schemas[schema_id]
        return registry_client(registry_url).schema_by_id(schema_id) if registry_url else None

    decoder = TradeDecoder(reader.schema, lookup, reader.describe())
    # (name, Arrow type of the plain decoded values, Arrow type Spark expects)
    fields = record_arrow_fields(dict(reader.schema))
    names = [field.name for field in decoded_schema(reader).fields]
    for batch in batches:
        raws = batch.column("raw").to_pylist()
        size = len(raws)
        schema_ids: list[int | None] = [None] * size
        reasons: list[str | None] = [None] * size
        details: list[str | None] = [None] * size
        kept_raw: list[bytes | None] = [None] * size
        columns: dict[str, list[Any]] = {name: [None] * size for name, _, _ in fields}
        for i, raw in enumerate(raws):
            decoded = decoder.decode(raw)
            schema_ids[i] = decoded.schema_id
            if decoded.values is None:
                reasons[i] = decoded.reason
                details[i] = decoded.detail
                kept_raw[i] = raw
                continue
            values = decoded.values
            for name, column in columns.items():
                column[i] = values.get(name)
        trade_arrays = []
        for name, plain, spark in fields:
            array = pa.array(columns[name], plain)
            trade_arrays.append(array if plain == spark else array.cast(spark))
        arrays = [
            pa.array(kept_raw, pa.binary()),
            batch.column("_source"),
            batch.column("_source_partition"),
            batch.column("_source_offset"),
            batch.column("_arrival_at"),
            pa.array(schema_ids, pa.int32()),
            pa.array(reasons, pa.string()),
            pa.array(details, pa.string()),
            *trade_arrays,
        ]
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def decode_frames(
    frames: DataFrame,
    reader_schema: ReaderSchema | Mapping[str, Any],
    registry_url: str | None,
    static_schemas: Mapping[int, Mapping[str, Any]] | None = None,
) -> DataFrame:
    """Decodes every frame into the reader schema; undecodable ones keep `raw` and get a `reason`.

    Writer schemas come from `static_schemas` (tests) or the registry, fetched once per id per Python worker.
    """
    static = dict(static_schemas or {})
    reader = reader_schema if isinstance(reader_schema, ReaderSchema) else ReaderSchema(reader_schema)

    def decode(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _decode_batches(batches, reader, registry_url, static)

    return frames.mapInArrow(decode, decoded_schema(reader))


def bronze_trades(decoded: DataFrame, ingested_at: dt.datetime, reader: ReaderSchema) -> DataFrame:
    """The decoded rows in `bronze.trades` shape, with `_ingested_at` and the `event_date` partition."""
    return (
        decoded.where(F.col("reason").isNull())
        .withColumn("_ingested_at", F.lit(ingested_at).cast(TimestampType()))
        .withColumn("event_date", F.to_date(F.col("timestamp")))
        .select(*[field.name for field in bronze_trades_schema(reader).fields])
    )


def quarantined(decoded: DataFrame, ingested_at: dt.datetime) -> DataFrame:
    """The undecodable rows in `bronze.trades_quarantine` shape."""
    return (
        decoded.where(F.col("reason").isNotNull())
        .withColumn("_ingested_at", F.lit(ingested_at).cast(TimestampType()))
        .select(*[field.name for field in QUARANTINE_SCHEMA.fields])
    )
