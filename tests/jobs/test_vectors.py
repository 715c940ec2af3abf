"""The cross-language wire contract: every vector of tests/fixtures/trade-vectors.json, decoded by the Glue
job's Python decoder (pure and through Spark) into the values the TypeScript producer side expects, and its
bytes checked against an independent Avro encoder (fastavro), so the TypeScript encoder that made them is
not the only witness."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_writer
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from streamsoft_jobs.bronze_transforms import FRAME_SCHEMA, decode_frames
from streamsoft_jobs.trade_decoding import TradeDecoder

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "trade-vectors.json"
CONTRACT = json.loads(FIXTURE.read_text(encoding="utf-8"))
SCHEMAS = {int(key): schema for key, schema in CONTRACT["schemas"].items()}
VECTORS = CONTRACT["vectors"]
READER = SCHEMAS[2]


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    price = values["price"]
    return {**values, "price": f"{price:.4f}" if isinstance(price, Decimal) else price}


def test_fixture_has_vectors_of_both_versions() -> None:
    assert {vector["schema_version"] for vector in VECTORS} == {1, 2}


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_python_decoder_matches_vector(vector: dict[str, Any]) -> None:
    decoded = TradeDecoder(READER, SCHEMAS.get).decode(bytes.fromhex(vector["hex"]))
    assert decoded.reason is None, decoded.detail
    assert decoded.schema_id == vector["schema_id"]
    assert decoded.values is not None
    assert _normalise(decoded.values) == vector["expected"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_vector_bytes_are_what_fastavro_writes(vector: dict[str, Any]) -> None:
    frame = bytes.fromhex(vector["hex"])
    # Confluent framing: magic byte 0, then the writer schema id as 4 big-endian bytes
    assert frame[0] == 0
    assert int.from_bytes(frame[1:5], "big") == vector["schema_id"]
    # the writer's own fields only: a v1 vector's expected values also hold what the v2 reader fills in
    values = {**vector["expected"], "price": Decimal(vector["expected"]["price"])}
    encoded = io.BytesIO()
    schemaless_writer(encoded, parse_schema(SCHEMAS[vector["schema_id"]]), values)
    assert frame[5:] == encoded.getvalue()


def test_spark_decode_matches_every_vector(spark: SparkSession) -> None:
    frames = spark.createDataFrame(
        [(bytes.fromhex(v["hex"]), "kinesis", "shard-0", str(i), None) for i, v in enumerate(VECTORS)],
        FRAME_SCHEMA,
    )
    rows = (
        decode_frames(frames, READER, None, SCHEMAS)
        .withColumn("timestamp", F.unix_millis("timestamp"))
        .orderBy(F.col("_source_offset").cast("int"))
        .collect()
    )
    assert len(rows) == len(VECTORS)
    for row, vector in zip(rows, VECTORS, strict=True):
        assert row["reason"] is None, row["detail"]
        assert row["_schema_id"] == vector["schema_id"]
        got = {name: row[name] for name in vector["expected"]}
        assert _normalise(got) == vector["expected"], vector["name"]
