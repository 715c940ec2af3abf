"""Delta table versions, for the tests that check what a run committed (or that it committed nothing)."""

from __future__ import annotations

from typing import Iterable

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from streamsoft_jobs.lake import table_path

SILVER_TABLES = ("trades", "trades_rejected", "trades_duplicates")


def latest_version(spark: SparkSession, path: str) -> int:
    return int(DeltaTable.forPath(spark, path).history(1).collect()[0]["version"])


def layer_versions(spark: SparkSession, lake: str, layer: str, tables: Iterable[str]) -> dict[str, int]:
    """The latest version of each `<layer>.<table>` of the lake."""
    return {table: latest_version(spark, table_path(lake, layer, table)) for table in tables}
