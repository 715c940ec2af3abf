"""Silver after bronze gained a column from a newer Trade version: the column passes through to silver.trades
and silver.trades_rejected (null in rows from before), across runs and within one run that spans the change;
gold refreshed over such a silver is what it is for the same trades without the column."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest
from deltalake import DeltaTable as IndependentDeltaTable
from pyspark.sql import DataFrame, SparkSession

from streamsoft_jobs.bronze_tables import bronze_trades_schema
from streamsoft_jobs.gold_job import run_gold
from streamsoft_jobs.lake import add_columns, table_path
from streamsoft_jobs.lake_tables import written_by
from streamsoft_jobs.silver import SilverSchemaClash, passthrough_columns
from streamsoft_jobs.silver_job import run_silver
from synthetic_bronze import BRONZE_TRADES_SCHEMA, bronze_row, write_bronze

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
TRADE_V3 = json.loads((FIXTURES / "trade-v3-compatible.avsc").read_text(encoding="utf-8"))
BRONZE_V3 = bronze_trades_schema(TRADE_V3)
GOLD_TABLES = tuple(name.split(".")[1] for name in written_by("gold"))


def write_bronze_v3(spark: SparkSession, lake: str, rows: list[dict[str, Any]]) -> None:
    """What the bronze job does on the switch to v3: add `venue` to bronze.trades, then append v3 rows."""
    path = table_path(lake, "bronze", "trades")
    assert add_columns(spark, path, BRONZE_V3, "bronze.trades") in (["venue"], [])
    frame = spark.createDataFrame([tuple(row.get(n) for n in BRONZE_V3.names) for row in rows], BRONZE_V3)
    frame.write.format("delta").mode("append").save(path)


def silver(spark: SparkSession, lake: str, table: str = "trades") -> DataFrame:
    return spark.read.format("delta").load(table_path(lake, "silver", table))


def test_new_bronze_columns_pass_through_silver(spark: SparkSession, tmp_lake: str, tmp_path: Path) -> None:
    checkpoint = str(tmp_path / "silver")
    old = bronze_row()
    write_bronze(spark, tmp_lake, [old])
    assert run_silver(spark, tmp_lake, checkpoint).total("trades") == 1

    new = bronze_row(venue="XNAS", operation="sale")
    v2_after = bronze_row()  # a v2 record decoded with the v3 reader: venue's default, null
    short = bronze_row(venue="XNYS", operation="short_sale")
    write_bronze_v3(spark, tmp_lake, [new, v2_after, short])
    second = run_silver(spark, tmp_lake, checkpoint)
    assert (second.total("trades"), second.total("rejected")) == (2, 1)

    trades = {r["operation_id"]: r for r in silver(spark, tmp_lake).collect()}
    assert silver(spark, tmp_lake).columns[-1] == "venue"
    assert {k: v["venue"] for k, v in trades.items()} == {
        old["operation_id"]: None,
        new["operation_id"]: "XNAS",
        v2_after["operation_id"]: None,
    }
    # silver does not know what side a new enum symbol is on: it is rejected, its new column kept
    [rejected] = silver(spark, tmp_lake, "trades_rejected").collect()
    assert (rejected["rule"], rejected["operation"], rejected["venue"]) == ("unknown_operation", "short_sale", "XNYS")

    # a fresh silver (new checkpoint, new lake for silver) reading across the change in one run
    again = str(tmp_path / "lake2")
    Path(again).mkdir()
    write_bronze(spark, again, [old])
    write_bronze_v3(spark, again, [new])
    assert run_silver(spark, again, str(tmp_path / "silver2")).total("trades") == 2
    independent = IndependentDeltaTable(table_path(again, "silver", "trades")).to_pyarrow_table(columns=["operation_id", "venue"])
    assert sorted(independent.to_pylist(), key=lambda r: r["venue"] or "") == [
        {"operation_id": old["operation_id"], "venue": None},
        {"operation_id": new["operation_id"], "venue": "XNAS"},
    ]


def test_a_new_bronze_column_named_like_a_silver_column_is_reported() -> None:
    assert passthrough_columns([*BRONZE_TRADES_SCHEMA.names, "venue"]) == ["venue"]
    with pytest.raises(SilverSchemaClash, match="bronze.trades column notional has the name of a column silver derives"):
        passthrough_columns([*BRONZE_TRADES_SCHEMA.names, "notional"])


def test_gold_over_an_evolved_silver_is_what_it_is_without_the_new_column(spark: SparkSession, tmp_path: Path) -> None:
    """The same trades, half of them v3 rows with `venue`, refresh gold exactly as when no row has it."""
    start = dt.datetime(2026, 11, 20, 9, 15, tzinfo=dt.timezone.utc)
    prices = ["100.0000", "100.5000", "103.0000", "102.0000", "250.0000", "251.0000", "99.0000", "260.0000"]
    trades = [
        bronze_row(
            timestamp=start + dt.timedelta(seconds=40 * i),
            symbol=("AAPL", "MSFT")[i % 2],
            person_name=("Ada", "Grace", "Alan")[i % 3],
            operation="sale" if i in (3, 5, 6) else "purchase",
            quantity=10 + i,
            price=Decimal(price),
        )
        for i, price in enumerate(prices)
    ]
    before, after = trades[:4], trades[4:]
    v3_after = [{**row, "_schema_id": 3, "venue": ("XNAS", "XLON")[i % 2]} for i, row in enumerate(after)]

    def gold_tables(lake: str, runs: list[Callable[[], None]]) -> dict[str, list[dict[str, Any]]]:
        Path(lake).mkdir()
        for write in runs:
            write()
            run_silver(spark, lake, f"{lake}-cp/silver")
            run_gold(spark, lake, f"{lake}-cp/gold")
        return {
            table: sorted((r.asDict() for r in spark.read.format("delta").load(table_path(lake, "gold", table)).collect()), key=repr)
            for table in GOLD_TABLES
        }

    evolved_lake, plain_lake = str(tmp_path / "evolved"), str(tmp_path / "plain")
    evolved = gold_tables(
        evolved_lake,
        [lambda: write_bronze(spark, evolved_lake, before), lambda: write_bronze_v3(spark, evolved_lake, v3_after)],
    )
    plain = gold_tables(
        plain_lake,
        [lambda: write_bronze(spark, plain_lake, before), lambda: write_bronze(spark, plain_lake, after)],
    )

    assert {r["operation_id"]: r["venue"] for r in silver(spark, evolved_lake).collect()} == {
        **{row["operation_id"]: None for row in before},
        **{row["operation_id"]: row["venue"] for row in v3_after},
    }
    assert all(plain.values()), {table: len(rows) for table, rows in plain.items()}  # every gold table has rows
    assert evolved == plain
