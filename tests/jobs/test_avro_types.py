"""The Avro → Spark/Arrow mapping, one case per Avro type: the Spark column type, the Arrow type Spark itself
derives for it (pyspark's own converter, an independent statement), and a value written with fastavro that
comes back through the bronze decoder and the Arrow column unchanged."""

from __future__ import annotations

import datetime as dt
import io
import struct
import uuid
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from fastavro import parse_schema, schemaless_writer
from pyspark.sql.pandas.types import to_arrow_type
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from streamsoft_jobs.avro_types import UnsupportedAvroType, record_arrow_fields, record_fields
from streamsoft_jobs.trade_decoding import TradeDecoder

UTC = dt.timezone.utc
NESTED = {
    "type": "record",
    "name": "Venue",
    "fields": [
        {"name": "mic", "type": "string"},
        {"name": "opened", "type": {"type": "int", "logicalType": "date"}},
        {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [{"name": "n", "type": "long"}]}},
    ],
}

# (case, Avro type, Spark type, value written, value read back from the Arrow column)
CASES: list[tuple[str, Any, DataType, Any, Any]] = [
    ("boolean", "boolean", BooleanType(), True, True),
    ("int", "int", IntegerType(), -7, -7),
    ("long", "long", LongType(), 2**40, 2**40),
    ("float", "float", FloatType(), 1.5, 1.5),
    ("double", "double", DoubleType(), 0.1, 0.1),
    ("bytes", "bytes", BinaryType(), b"\x00\xff", b"\x00\xff"),
    ("string", "string", StringType(), "héllo", "héllo"),
    ("fixed", {"type": "fixed", "name": "Four", "size": 4}, BinaryType(), b"abcd", b"abcd"),
    ("enum as string", {"type": "enum", "name": "Side", "symbols": ["buy", "sell"]}, StringType(), "sell", "sell"),
    (
        "decimal(p,s) on bytes",
        {"type": "bytes", "logicalType": "decimal", "precision": 18, "scale": 4},
        DecimalType(18, 4),
        Decimal("-12.3400"),
        Decimal("-12.3400"),
    ),
    (
        "decimal(p,s) on fixed",
        {"type": "fixed", "name": "Money", "size": 16, "logicalType": "decimal", "precision": 38, "scale": 2},
        DecimalType(38, 2),
        Decimal("123456789012345678901234567890123456.78"),
        Decimal("123456789012345678901234567890123456.78"),
    ),
    (
        "timestamp-millis",
        {"type": "long", "logicalType": "timestamp-millis"},
        TimestampType(),
        dt.datetime(2026, 11, 28, 9, 30, 0, 123000, tzinfo=UTC),
        dt.datetime(2026, 11, 28, 9, 30, 0, 123000, tzinfo=UTC),
    ),
    (
        "timestamp-micros",
        {"type": "long", "logicalType": "timestamp-micros"},
        TimestampType(),
        dt.datetime(2026, 11, 28, 9, 30, 0, 123456, tzinfo=UTC),
        dt.datetime(2026, 11, 28, 9, 30, 0, 123456, tzinfo=UTC),
    ),
    ("date", {"type": "int", "logicalType": "date"}, DateType(), dt.date(2026, 11, 28), dt.date(2026, 11, 28)),
    (
        "uuid as string",
        {"type": "string", "logicalType": "uuid"},
        StringType(),
        uuid.UUID(int=42),
        str(uuid.UUID(int=42)),
    ),
    ("nullable union, null", ["null", "string"], StringType(), None, None),
    ("nullable union, value", ["null", "long"], LongType(), 5, 5),
    ("union with null second", ["double", "null"], DoubleType(), 2.5, 2.5),
    ("array", {"type": "array", "items": "long"}, ArrayType(LongType()), [1, 2, 3], [1, 2, 3]),
    (
        "array of timestamps",
        {"type": "array", "items": {"type": "long", "logicalType": "timestamp-millis"}},
        ArrayType(TimestampType()),
        [dt.datetime(2026, 1, 1, tzinfo=UTC)],
        [dt.datetime(2026, 1, 1, tzinfo=UTC)],
    ),
    ("map", {"type": "map", "values": "double"}, MapType(StringType(), DoubleType()), {"a": 1.0}, [("a", 1.0)]),
    (
        "map of nullable strings",
        {"type": "map", "values": ["null", "string"]},
        MapType(StringType(), StringType()),
        {"k": None},
        [("k", None)],
    ),
    (
        "nested records",
        NESTED,
        StructType(
            [
                StructField("mic", StringType()),
                StructField("opened", DateType()),
                StructField("inner", StructType([StructField("n", LongType())])),
            ]
        ),
        {"mic": "XLON", "opened": dt.date(1801, 3, 3), "inner": {"n": 9}},
        {"mic": "XLON", "opened": dt.date(1801, 3, 3), "inner": {"n": 9}},
    ),
    (
        "array of records",
        {"type": "array", "items": {"type": "record", "name": "Fill", "fields": [{"name": "q", "type": "int"}]}},
        ArrayType(StructType([StructField("q", IntegerType())])),
        [{"q": 1}, {"q": 2}],
        [{"q": 1}, {"q": 2}],
    ),
]


def record_of(avro_type: Any) -> dict[str, Any]:
    return {"type": "record", "name": "R", "namespace": "t", "fields": [{"name": "f", "type": avro_type}]}


@pytest.mark.parametrize(("case", "avro_type", "column", "written", "read"), CASES, ids=[c[0] for c in CASES])
def test_each_avro_type_maps_to_its_column_and_round_trips(
    case: str, avro_type: Any, column: DataType, written: Any, read: Any
) -> None:
    schema = record_of(avro_type)
    assert record_fields(schema) == StructType([StructField("f", column)])

    [(name, plain, expected_arrow)] = record_arrow_fields(schema)
    assert name == "f"
    assert expected_arrow == to_arrow_type(column)  # what Spark's mapInArrow expects for that column

    body = io.BytesIO()
    schemaless_writer(body, parse_schema(schema), {"f": written})
    decoded = TradeDecoder(schema, lambda _id: schema).decode(b"\x00" + struct.pack(">I", 1) + body.getvalue())
    assert decoded.values is not None, decoded.detail
    values = pa.array([decoded.values["f"]], plain)
    values = values if plain == expected_arrow else values.cast(expected_arrow)
    assert values.to_pylist() == [read]


def test_fields_keep_the_schema_order_and_named_types_are_resolved() -> None:
    schema = {
        "type": "record",
        "name": "Trade",
        "namespace": "m",
        "fields": [
            {"name": "side", "type": {"type": "enum", "name": "Side", "symbols": ["b", "s"]}},
            {"name": "previous_side", "type": ["null", "m.Side"], "default": None},
            {"name": "a", "type": "int"},
        ],
    }
    assert record_fields(schema).names == ["side", "previous_side", "a"]
    assert record_fields(schema)["previous_side"].dataType == StringType()


@pytest.mark.parametrize(
    ("avro_type", "message"),
    [
        (["null", "string", "long"], "R.f: a union of 2 non-null types has no column type"),
        ({"type": "bytes", "logicalType": "decimal", "precision": 40, "scale": 2}, "R.f: decimal(40,2) is wider"),
    ],
)
def test_types_without_a_column_are_refused_naming_the_field(avro_type: Any, message: str) -> None:
    with pytest.raises(UnsupportedAvroType, match=message.replace("(", r"\(").replace(")", r"\)")):
        record_fields(record_of(avro_type))
