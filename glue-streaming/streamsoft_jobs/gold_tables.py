"""Gold's tables: where each lives, its merge keys and partitioning, and its schema, which is the output
schema of its transform in gold.py (one source of truth)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Sequence

from pyspark.sql import SparkSession
from pyspark.sql.types import StructField, StructType

from streamsoft_jobs.gold import (
    DEFAULT_ALERT_THRESHOLD_PCT,
    exchange_activity_hourly,
    ohlcv_1m,
    pipeline_health_hourly,
    price_alerts,
    trader_leaderboard_daily,
)
from streamsoft_jobs.lake import add_columns, ensure_table, table_path
from streamsoft_jobs.silver import SILVER_TRADES_SCHEMA

log = logging.getLogger("streamsoft.gold")


@dataclass(frozen=True)
class GoldPaths:
    lake: str

    def of(self, layer: str, table: str) -> str:
        return table_path(self.lake, layer, table)

    @property
    def silver_trades(self) -> str:
        return self.of("silver", "trades")

    @property
    def ohlcv(self) -> str:
        return self.of("gold", "ohlcv_1m")

    @property
    def exchange_activity(self) -> str:
        return self.of("gold", "exchange_activity_hourly")

    @property
    def leaderboard(self) -> str:
        return self.of("gold", "trader_leaderboard_daily")

    @property
    def alerts(self) -> str:
        return self.of("gold", "price_alerts")

    @property
    def health(self) -> str:
        return self.of("gold", "pipeline_health_hourly")


@dataclass(frozen=True)
class GoldTable:
    path: Callable[[GoldPaths], str]
    keys: Sequence[str]
    partition_by: Sequence[str] = ()


OHLCV = GoldTable(lambda p: p.ohlcv, ("symbol", "minute"), ("event_date",))
EXCHANGE_ACTIVITY = GoldTable(lambda p: p.exchange_activity, ("exchange", "hour"))
LEADERBOARD = GoldTable(lambda p: p.leaderboard, ("trade_date", "person_name"))
ALERTS = GoldTable(lambda p: p.alerts, ("operation_id",))
HEALTH = GoldTable(lambda p: p.health, ("hour",))


def _nullable(schema: StructType) -> StructType:
    return StructType([StructField(f.name, f.dataType, True) for f in schema.fields])


def gold_schemas(spark: SparkSession) -> dict[GoldTable, StructType]:
    """Table schemas are the transforms' output schemas: one source of truth."""
    trades = spark.createDataFrame([], SILVER_TRADES_SCHEMA)
    hours = spark.createDataFrame([], "hour timestamp")
    stage = spark.createDataFrame([], "_ingested_at timestamp, timestamp timestamp")
    return {
        OHLCV: _nullable(ohlcv_1m(trades).schema),
        EXCHANGE_ACTIVITY: _nullable(exchange_activity_hourly(trades).schema),
        LEADERBOARD: _nullable(trader_leaderboard_daily(trades).schema),
        ALERTS: _nullable(price_alerts(trades, ohlcv_1m(trades), DEFAULT_ALERT_THRESHOLD_PCT).schema),
        HEALTH: _nullable(pipeline_health_hourly(hours, stage, stage, stage, stage, stage).schema),
    }


def ensure_gold_tables(spark: SparkSession, paths: GoldPaths) -> None:
    """Creates the gold tables that do not exist, and adds to each existing one the columns its transform
    has gained since the table was created (a lake written by an older gold job)."""
    for table, schema in gold_schemas(spark).items():
        path = table.path(paths)
        ensure_table(spark, path, schema, partition_by=table.partition_by)
        added = add_columns(spark, path, schema, table=path)
        if added:
            log.info("%s: added columns %s", path, ", ".join(added))
