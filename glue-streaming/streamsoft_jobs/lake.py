"""Lake layout and Delta table helpers: `<lake>/<layer>/<table>`, conservative table features, idempotent writes.

Paths are plain strings so the same code works for a local folder and an `s3://` URI.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

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
    writer.save(path)
