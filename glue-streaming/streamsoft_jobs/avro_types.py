"""The one Avro → Spark/Arrow type mapping: what column an Avro field becomes in the lake.

Bronze derives its table schema from the reader schema with it, so no field list is written by hand.
Every column is nullable: quarantined rows carry no trade values, and columns added later are null in
rows written before them.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from fastavro import parse_schema
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


class UnsupportedAvroType(ValueError):
    """An Avro type with no lake column type (a union of two non-null types, a decimal wider than 38)."""


# Decoded as their plain Avro types (str, int): columns are converted in bulk, which is much faster than
# fastavro building a UUID, a datetime or a date per value.
PLAIN_LOGICAL_TYPES = frozenset({"uuid", "timestamp-millis", "timestamp-micros", "date"})

_PRIMITIVES_SPARK: dict[str, DataType] = {
    "boolean": BooleanType(),
    "int": IntegerType(),
    "long": LongType(),
    "float": FloatType(),
    "double": DoubleType(),
    "bytes": BinaryType(),
    "string": StringType(),
}

_PRIMITIVES_ARROW: dict[str, pa.DataType] = {
    "boolean": pa.bool_(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "bytes": pa.binary(),
    "string": pa.string(),
}


def expanded(schema: Any) -> Any:
    """`schema` parsed by fastavro with every named-type reference replaced by its definition."""
    return parse_schema(schema, expand=True, _write_hint=False)


def plain_schema(schema: Any) -> Any:
    """`schema` without the logical types in PLAIN_LOGICAL_TYPES (decimals stay Decimal)."""
    if isinstance(schema, dict):
        plain = {key: plain_schema(value) for key, value in schema.items()}
        if plain.get("logicalType") in PLAIN_LOGICAL_TYPES:
            del plain["logicalType"]
        return plain
    if isinstance(schema, list):
        return [plain_schema(item) for item in schema]
    return schema


def _nullable_branch(union: list[Any], where: str) -> Any:
    branches = [branch for branch in union if branch != "null"]
    if len(branches) != 1:
        raise UnsupportedAvroType(f"{where}: a union of {len(branches)} non-null types has no column type")
    return branches[0]


def _type_name(schema: Any) -> str:
    return schema if isinstance(schema, str) else str(schema.get("type"))


def _decimal(schema: dict[str, Any], where: str) -> tuple[int, int]:
    precision, scale = int(schema["precision"]), int(schema.get("scale", 0))
    if precision > 38:
        raise UnsupportedAvroType(f"{where}: decimal({precision},{scale}) is wider than Spark's 38 digits")
    return precision, scale


def spark_type(schema: Any, where: str = "schema") -> DataType:
    """The Spark type of one (expanded) Avro schema."""
    if isinstance(schema, list):
        return spark_type(_nullable_branch(schema, where), where)
    name = _type_name(schema)
    if isinstance(schema, dict):
        logical = schema.get("logicalType")
        if logical == "decimal" and name in ("bytes", "fixed"):
            return DecimalType(*_decimal(schema, where))
        if logical in ("timestamp-millis", "timestamp-micros") and name == "long":
            return TimestampType()
        if logical == "date" and name == "int":
            return DateType()
        if name == "record":
            return StructType(
                [
                    StructField(field["name"], spark_type(field["type"], f"{where}.{field['name']}"))
                    for field in schema["fields"]
                ]
            )
        if name == "enum":
            return StringType()
        if name == "fixed":
            return BinaryType()
        if name == "array":
            return ArrayType(spark_type(schema["items"], f"{where}[]"))
        if name == "map":
            return MapType(StringType(), spark_type(schema["values"], f"{where}{{}}"))
    if name in _PRIMITIVES_SPARK:
        return _PRIMITIVES_SPARK[name]
    raise UnsupportedAvroType(f"{where}: Avro type {name!r} has no column type")


def arrow_type(schema: Any, where: str = "schema", plain: bool = False) -> pa.DataType:
    """The Arrow type Spark exchanges for `spark_type(schema)` (timestamps in microseconds, UTC).

    With `plain`, the type to build from values decoded with `plain_schema`: timestamp-millis in
    milliseconds, so the epoch numbers convert as they are; `.cast()` to the default type afterwards.
    """
    if isinstance(schema, list):
        return arrow_type(_nullable_branch(schema, where), where, plain)
    name = _type_name(schema)
    if isinstance(schema, dict):
        logical = schema.get("logicalType")
        if logical == "decimal" and name in ("bytes", "fixed"):
            return pa.decimal128(*_decimal(schema, where))
        if logical == "timestamp-millis" and name == "long":
            return pa.timestamp("ms" if plain else "us", tz="UTC")
        if logical == "timestamp-micros" and name == "long":
            return pa.timestamp("us", tz="UTC")
        if logical == "date" and name == "int":
            return pa.date32()
        if name == "record":
            return pa.struct(
                [
                    pa.field(field["name"], arrow_type(field["type"], f"{where}.{field['name']}", plain))
                    for field in schema["fields"]
                ]
            )
        if name == "enum":
            return pa.string()
        if name == "fixed":
            return pa.binary()
        if name == "array":
            return pa.list_(arrow_type(schema["items"], f"{where}[]", plain))
        if name == "map":
            return pa.map_(pa.string(), arrow_type(schema["values"], f"{where}{{}}", plain))
    if name in _PRIMITIVES_ARROW:
        return _PRIMITIVES_ARROW[name]
    raise UnsupportedAvroType(f"{where}: Avro type {name!r} has no column type")


def record_fields(reader_schema: Any) -> StructType:
    """The columns of a record schema's fields, in the schema's order."""
    schema = expanded(reader_schema)
    if _type_name(schema) != "record":
        raise UnsupportedAvroType(f"reader schema: expected a record, got {_type_name(schema)!r}")
    result = spark_type(schema, str(schema.get("name", "record")))
    assert isinstance(result, StructType)
    return result


def record_arrow_fields(reader_schema: Any) -> list[tuple[str, pa.DataType, pa.DataType]]:
    """(name, type to build from plain decoded values, type Spark expects) of each field of a record schema."""
    schema = expanded(reader_schema)
    name = str(schema.get("name", "record"))
    return [
        (
            field["name"],
            arrow_type(field["type"], f"{name}.{field['name']}", plain=True),
            arrow_type(field["type"], f"{name}.{field['name']}"),
        )
        for field in schema["fields"]
    ]
