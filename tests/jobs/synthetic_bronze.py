"""Synthetic bronze rows for the silver/gold tests: one valid trade by default, any field overridable,
written straight into `bronze.trades` / `bronze.trades_quarantine` as the bronze job would. Test data, so
it lives here and not in streamsoft_jobs, whose every file ships to Glue."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

from pyspark.sql import SparkSession

from streamsoft_jobs.bronze_tables import QUARANTINE_SCHEMA, bronze_trades_schema
from streamsoft_jobs.lake import ensure_table, table_path

# The checkout's Trade v2: synthetic rows are what the bronze job writes with it as the reader schema.
TRADE_V2 = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "trade-v2.avsc").read_text(encoding="utf-8"))
BRONZE_TRADES_SCHEMA = bronze_trades_schema(TRADE_V2)

BASE_TIME = dt.datetime(2026, 11, 20, 14, 30, 0, tzinfo=dt.timezone.utc)
_offsets = itertools.count(1)


def bronze_row(**overrides: Any) -> dict[str, Any]:
    """A valid AAPL purchase on NASDAQ at BASE_TIME, arriving 1 s later, with fresh source coordinates."""
    timestamp = overrides.get("timestamp", BASE_TIME)
    row: dict[str, Any] = {
        "operation_id": str(uuid.uuid4()),
        "person_name": "Ada Lovelace",
        "symbol": "AAPL",
        "timestamp": timestamp,
        "exchange": "NASDAQ",
        "currency": "USD",
        "price": Decimal("100.0000"),
        "operation": "purchase",
        "quantity": 10,
        "broker": None,
        "_schema_id": 2,
        "_source": "kinesis",
        "_source_partition": "shardId-000000000000",
        "_source_offset": str(next(_offsets)),
        "_arrival_at": (timestamp or BASE_TIME) + dt.timedelta(seconds=1),
        "_ingested_at": (timestamp or BASE_TIME) + dt.timedelta(seconds=2),
    }
    row.update(overrides)
    if "event_date" not in overrides:
        row["event_date"] = row["timestamp"].astimezone(dt.timezone.utc).date() if row["timestamp"] else None
    return row


def quarantine_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "raw": b"\x01garbage",
        "reason": "bad_magic_byte",
        "detail": "first byte 0x01",
        "_source": "kinesis",
        "_source_partition": "shardId-000000000000",
        "_source_offset": str(next(_offsets)),
        "_arrival_at": BASE_TIME,
        "_ingested_at": BASE_TIME + dt.timedelta(seconds=2),
    }
    row.update(overrides)
    return row


def _ordered(rows: Iterable[Mapping[str, Any]], names: list[str]) -> list[tuple[Any, ...]]:
    return [tuple(row[name] for name in names) for row in rows]


def write_bronze(
    spark: SparkSession, lake_path: str, rows: Iterable[Mapping[str, Any]], files: int | None = None
) -> None:
    """Appends rows to bronze.trades (creating it like the bronze job does); `files` spreads them over that
    many write tasks, each writing a small file into every event_date partition it holds rows of."""
    path = table_path(lake_path, "bronze", "trades")
    ensure_table(spark, path, BRONZE_TRADES_SCHEMA, partition_by=["event_date"])
    names = [field.name for field in BRONZE_TRADES_SCHEMA.fields]
    frame = spark.createDataFrame(_ordered(rows, names), BRONZE_TRADES_SCHEMA)
    if files is not None:
        frame = frame.repartition(files)
    frame.write.format("delta").mode("append").save(path)


def write_quarantine(spark: SparkSession, lake_path: str, rows: Iterable[Mapping[str, Any]]) -> None:
    path = table_path(lake_path, "bronze", "trades_quarantine")
    ensure_table(spark, path, QUARANTINE_SCHEMA)
    names = [field.name for field in QUARANTINE_SCHEMA.fields]
    frame = spark.createDataFrame(_ordered(rows, names), QUARANTINE_SCHEMA)
    frame.write.format("delta").mode("append").save(path)
