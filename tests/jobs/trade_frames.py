"""Builds Confluent-framed Avro trades for the jobs tests (the producer's framing, in Python), and the bronze
query configuration the tests run them through."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from fastavro import parse_schema, schemaless_writer

from streamsoft_jobs.bronze_config import BronzeConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
TRADE_V1 = json.loads((REPO_ROOT / "schemas" / "trade-v1.avsc").read_text(encoding="utf-8"))
TRADE_V2 = json.loads((REPO_ROOT / "schemas" / "trade-v2.avsc").read_text(encoding="utf-8"))
V1_ID = 11
V2_ID = 12
SCHEMAS = {V1_ID: TRADE_V1, V2_ID: TRADE_V2}
EVENT_TIME = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.timezone.utc)


def trade(i: int, version: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "operation_id": str(uuid.UUID(int=i + 1)),
        "person_name": f"Trader {i}",
        "symbol": ["AAPL", "MSFT", "VOD.L"][i % 3],
        "timestamp": EVENT_TIME + dt.timedelta(milliseconds=i),
        "exchange": ["NASDAQ", "NASDAQ", "LSE"][i % 3],
        "currency": ["USD", "USD", "GBP"][i % 3],
        "price": Decimal(f"{100 + i}.{i % 10000:04d}"),
        "operation": "sale" if i % 2 else "purchase",
    }
    if version == 2:
        values.update(quantity=10 + i, broker=None if i % 2 else f"Broker {i}")
    return values


def frame(values: dict[str, Any], schema_id: int, schema: Mapping[str, Any] | None = None) -> bytes:
    """A Confluent-framed record; `schema` is the writer schema when `schema_id` is a registry's, not ours."""
    body = io.BytesIO()
    schemaless_writer(body, parse_schema(dict(schema) if schema is not None else SCHEMAS[schema_id]), values)
    return b"\x00" + struct.pack(">I", schema_id) + body.getvalue()


def bronze_config(
    source: str, stream: str, lake_path: str, checkpoint_path: str | Path, registry_url: str, **overrides: Any
) -> BronzeConfig:
    """A one-source bronze query as the tests run it: the reader schema is the latest of `<stream>-value`,
    and the query drains what is there, then stops. Any other BronzeConfig field by keyword."""
    settings: dict[str, Any] = {
        "job_name": f"bronze-{stream}",
        "reader_schema": "registry",
        "subject": f"{stream}-value",
        "available_now": True,
        **overrides,
    }
    return BronzeConfig(
        source=source,
        stream=stream,
        lake_path=lake_path,
        checkpoint_path=str(checkpoint_path),
        registry_url=registry_url,
        **settings,
    )
