"""Lake layout and Delta table helpers: `<lake>/<layer>/<table>`, conservative table features, idempotent writes.

Paths are plain strings so the same code works for a local folder and an `s3://` URI.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import ArrayType, DataType, MapType, StructType

# Readers such as Athena and the `deltalake` package must read every table: no deletion vectors, no
# column mapping, nothing that raises the protocol past what they support.
CONSERVATIVE_PROPERTIES: Mapping[str, str] = {
    "delta.enableDeletionVectors": "false",
    "delta.columnMapping.mode": "none",
    "delta.enableChangeDataFeed": "true",
}


def table_path(lake_path: str, layer: str, table: str) -> str:
    """`<lake>/<layer>/<table>`, e.g. `s3://bucket/lake/bronze/trades` or `/data/lake/silver/trades`."""
    return f"{lake_path.rstrip('/')}/{layer}/{table}"


def ensure_table(
    spark: SparkSession,
    path: str,
    schema: StructType,
    partition_by: Sequence[str] = (),
    properties: Mapping[str, str] | None = None,
) -> DeltaTable:
    """Creates the Delta table at `path` if it does not exist (with conservative properties) and returns it."""
    builder = DeltaTable.createIfNotExists(spark).location(path).addColumns(schema)
    if partition_by:
        builder = builder.partitionedBy(*partition_by)
    for key, value in {**CONSERVATIVE_PROPERTIES, **(properties or {})}.items():
        builder = builder.property(key, value)
    return builder.execute()


def append_idempotent(
    df: DataFrame,
    path: str,
    app_id: str,
    version: int,
    partition_by: Sequence[str] = (),
    user_metadata: str | None = None,
) -> None:
    """Appends `df` unless this (app_id, version) was already committed to the table at `path`.

    Delta records the highest `txnVersion` per `txnAppId` in the same commit as the data, so a micro-batch
    replayed after a crash (same batch id) is skipped instead of written twice.
    """
    writer = (
        df.write.format("delta")
        .mode("append")
        .option("txnAppId", app_id)
        .option("txnVersion", str(version))
    )
    if partition_by:
        writer = writer.partitionBy(*partition_by)
    if user_metadata is not None:
        # stored in the commit's commitInfo.userMetadata (DeltaTable.history())
        writer = writer.option("userMetadata", user_metadata)
    writer.save(path)


class SchemaEvolutionError(RuntimeError):
    """A schema change a Delta table cannot take by adding columns (a column would change its type)."""


def _added_columns(current: StructType, wanted: StructType, prefix: str, table: str) -> list[tuple[str, DataType, str | None]]:
    added: list[tuple[str, DataType, str | None]] = []
    previous: str | None = None
    for field in wanted.fields:
        name = f"{prefix}{field.name}"
        if field.name not in current.names:
            added.append((name, field.dataType, previous))
        else:
            had, want = current[field.name].dataType, field.dataType
            if isinstance(had, StructType) and isinstance(want, StructType):
                added.extend(_added_columns(had, want, f"{name}.", table))
            elif (
                isinstance(had, ArrayType)
                and isinstance(want, ArrayType)
                and isinstance(had.elementType, StructType)
                and isinstance(want.elementType, StructType)
            ):
                added.extend(_added_columns(had.elementType, want.elementType, f"{name}.element.", table))
            elif (
                isinstance(had, MapType)
                and isinstance(want, MapType)
                and had.keyType == want.keyType
                and isinstance(had.valueType, StructType)
                and isinstance(want.valueType, StructType)
            ):
                added.extend(_added_columns(had.valueType, want.valueType, f"{name}.value.", table))
            elif had.simpleString() != want.simpleString():
                raise SchemaEvolutionError(
                    f"{table}: column {name} is {had.simpleString()} in the table but {want.simpleString()} in the new"
                    " schema; the table only takes new columns (no drop, rename or type change)"
                )
        previous = field.name
    return added


def added_columns(current: StructType, wanted: StructType, table: str = "table") -> list[tuple[str, DataType, str | None]]:
    """(dotted name, type, sibling it goes after or None for first) of each field of `wanted` that `current`
    lacks, at any depth. Fields `current` has and `wanted` lacks stay. Raises SchemaEvolutionError, naming
    the field, when a field exists in both with different types."""
    return _added_columns(current, wanted, "", table)


def _quoted(dotted: str) -> str:
    return ".".join(f"`{part}`" for part in dotted.split("."))


def add_columns(spark: SparkSession, path: str, wanted: StructType, table: str = "table") -> list[str]:
    """Adds to the Delta table at `path` the columns of `wanted` it lacks, in `wanted`'s order; returns their
    names. Nothing is changed when one would change type (SchemaEvolutionError)."""
    current = DeltaTable.forPath(spark, path).toDF().schema
    added = added_columns(current, wanted, table)
    location = path.replace("`", "``")
    for name, data_type, after in added:
        # https://docs.delta.io/latest/delta-batch.html#explicitly-update-schema (ADD COLUMNS ... AFTER)
        position = f" AFTER `{after}`" if after else " FIRST"
        spark.sql(f"ALTER TABLE delta.`{location}` ADD COLUMNS ({_quoted(name)} {data_type.simpleString()}{position})")
    return [name for name, _, _ in added]
