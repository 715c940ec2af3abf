"""gold.price_alerts as gold jobs before one-alert-per-minute left it: one row per crossing trade, and no
crossing_trades or max_abs_move_pct column. Test data for the start-up migration tests (gold job and
continuous refine), so it lives here and not in streamsoft_jobs."""

from __future__ import annotations

import shutil
from typing import Any, Iterable, Mapping

from pyspark.sql import SparkSession
from pyspark.sql.types import StructType

from streamsoft_jobs.gold_tables import ALERTS, GoldPaths, gold_schemas
from streamsoft_jobs.lake import ensure_table

ADDED_COLUMNS = ("crossing_trades", "max_abs_move_pct")


def per_trade_alerts_schema(spark: SparkSession) -> StructType:
    return StructType([f for f in gold_schemas(spark)[ALERTS].fields if f.name not in ADDED_COLUMNS])


def write_per_trade_alerts(spark: SparkSession, lake: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Replaces the lake's gold.price_alerts (a local folder) with a table of the old shape holding `rows`."""
    path = GoldPaths(lake).alerts
    shutil.rmtree(path, ignore_errors=True)
    schema = per_trade_alerts_schema(spark)
    ensure_table(spark, path, schema)
    values = [tuple(row[name] for name in schema.names) for row in rows]
    spark.createDataFrame(values, schema).write.format("delta").mode("append").save(path)
