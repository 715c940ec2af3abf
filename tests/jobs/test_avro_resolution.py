"""Avro schema resolution (can data written with one schema be read with another), per the specification's
rules (https://avro.apache.org/docs/1.12.0/specification/#schema-resolution), and the Delta column changes
a new reader schema asks of bronze.trades: additive ones, or an error naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql.types import ArrayType, DecimalType, DoubleType, LongType, StringType, StructField, StructType

from streamsoft_jobs.avro_resolution import resolution_errors
from streamsoft_jobs.lake import SchemaEvolutionError, added_columns
from trade_frames import TRADE_V1, TRADE_V2

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
V3 = json.loads((FIXTURES / "trade-v3-compatible.avsc").read_text(encoding="utf-8"))
V3_BAD = json.loads((FIXTURES / "trade-v3-incompatible.avsc").read_text(encoding="utf-8"))


def record(*fields: dict[str, Any], name: str = "R") -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields)}


def test_the_trade_versions_resolve_as_the_registry_is_told() -> None:
    assert resolution_errors(TRADE_V2, TRADE_V1) == []  # v2 reads v1 (quantity, broker have defaults)
    assert resolution_errors(V3, TRADE_V2) == []  # BACKWARD: venue has a default, the new symbol is added
    # FORWARD too, only because v2's Operation enum has a default: short_sale reads as "purchase"
    assert resolution_errors(TRADE_V2, V3) == []
    no_default = json.loads(json.dumps(TRADE_V2))
    del next(f for f in no_default["fields"] if f["name"] == "operation")["type"]["default"]
    assert resolution_errors(no_default, V3) == [
        "operation: symbols short_sale are not in the reader's enum, which has no default"
    ]
    assert resolution_errors(TRADE_V2, V3_BAD) == ["price: the writer's double cannot be read as bytes"]
    assert resolution_errors(V3_BAD, TRADE_V2) == ["price: the writer's bytes cannot be read as double"]


@pytest.mark.parametrize(
    ("reader", "writer", "errors"),
    [
        ("long", "int", []),
        ("double", "long", []),
        ("string", "bytes", []),
        ("int", "long", ["f: the writer's long cannot be read as int"]),
        (["null", "long"], "int", []),
        ("long", ["null", "long"], ["f: the writer's null cannot be read as long"]),
        (["null", "string"], "long", ["f: no branch of the reader's union reads the writer's long"]),
        ({"type": "array", "items": "long"}, {"type": "array", "items": "int"}, []),
        ({"type": "map", "values": "int"}, {"type": "map", "values": "string"}, ["f{}: the writer's string cannot be read as int"]),
        (
            {"type": "fixed", "name": "F", "size": 4},
            {"type": "fixed", "name": "F", "size": 8},
            ["f: fixed size 8 cannot be read as size 4"],
        ),
        (
            record({"name": "x", "type": "int"}, {"name": "y", "type": "int"}, name="N"),
            record({"name": "x", "type": "int"}, name="N"),
            ["f.y: missing from the writer's schema and has no default"],
        ),
        (record(name="A"), record(name="B"), ["f: the writer's record B is not the reader's A"]),
    ],
)
def test_resolution_rules(reader: Any, writer: Any, errors: list[str]) -> None:
    assert resolution_errors(record({"name": "f", "type": reader}), record({"name": "f", "type": writer})) == errors


def test_a_renamed_field_resolves_through_its_alias() -> None:
    writer = record({"name": "qty", "type": "long"})
    assert resolution_errors(record({"name": "quantity", "type": "long", "aliases": ["qty"]}), writer) == []
    assert resolution_errors(record({"name": "quantity", "type": "long"}), writer) == [
        "quantity: missing from the writer's schema and has no default"
    ]


TABLE = StructType(
    [
        StructField("price", DecimalType(18, 4)),
        StructField("broker", StringType()),
        StructField("fills", ArrayType(StructType([StructField("q", LongType())]))),
        StructField("event_date", StringType()),
    ]
)


def test_new_fields_are_added_after_their_predecessor_at_any_depth() -> None:
    wanted = StructType(
        [
            StructField("venue", StringType()),  # new, first
            StructField("price", DecimalType(18, 4)),
            StructField("broker", StringType()),
            StructField("desk", StringType()),  # new, after broker
            StructField("fills", ArrayType(StructType([StructField("q", LongType()), StructField("at", StringType())]))),
        ]
    )
    assert added_columns(TABLE, wanted) == [
        ("venue", StringType(), None),
        ("desk", StringType(), "broker"),
        ("fills.element.at", StringType(), "q"),
    ]
    assert added_columns(TABLE, TABLE) == []
    # a field the new schema lacks stays in the table: never dropped
    assert added_columns(TABLE, StructType([StructField("price", DecimalType(18, 4))])) == []


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (StructField("price", DoubleType()), "bronze.trades: column price is decimal(18,4) in the table but double"),
        (
            StructField("fills", ArrayType(StructType([StructField("q", StringType())]))),
            "bronze.trades: column fills.element.q is bigint in the table but string",
        ),
    ],
)
def test_a_type_change_is_refused_naming_the_column(field: StructField, message: str) -> None:
    with pytest.raises(SchemaEvolutionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        added_columns(TABLE, StructType([field]), "bronze.trades")
