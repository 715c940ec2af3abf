"""Continuous mode (silver and gold as long-running queries in one driver) against batch mode: the same
bronze input, fed in two steps while the continuous queries run, gives exactly the silver and gold tables
that batch runs give, compared row by row with their decimals; and it picks up a table created late. On
start it brings alerts an older gold job wrote one per trade to one per minute, as a batch run does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from per_trade_alerts import ADDED_COLUMNS, write_per_trade_alerts
from streamsoft_jobs.gold_job import run_gold
from streamsoft_jobs.lake import table_path
from streamsoft_jobs.lake_tables import written_by
from streamsoft_jobs.refine import RefineConfig, RefineRunner
from streamsoft_jobs.refine_trigger import RefineTrigger
from streamsoft_jobs.silver_job import run_silver
from synthetic_bronze import bronze_row, quarantine_row, write_bronze, write_quarantine

M = dt.datetime(2026, 11, 20, 9, 15, tzinfo=dt.timezone.utc)
REFINED = (*written_by("silver"), *written_by("gold"))


def trade(seconds: int, price: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = bronze_row(timestamp=M + dt.timedelta(seconds=seconds), price=Decimal(price), **extra)
    return row


def first_input() -> list[dict[str, Any]]:
    resent = trade(20, "101.5000", person_name="Grace")
    return [
        trade(10, "100.0000", person_name="Ada"),
        resent,
        {**resent, "_source_offset": "9000001"},  # a producer retry: a duplicate
        trade(61, "103.0000", person_name="Ada", symbol="MSFT"),
        trade(62, "-1.0000", person_name="Ada"),  # rejected: negative price
    ]


def second_input() -> list[dict[str, Any]]:
    late = M + dt.timedelta(hours=1)
    return [
        trade(30, "99.2500", person_name="Ada", _arrival_at=late, _ingested_at=late),  # late: minute M moves
        trade(125, "104.0000", person_name="Grace", exchange="NYSE"),
    ]


def tables(spark: SparkSession, lake: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every refined table's rows, sorted: an exact comparison, Decimals and timestamps included."""
    out = {}
    for name in REFINED:
        layer, table = name.split(".")
        rows = spark.read.format("delta").load(table_path(lake, layer, table)).collect()
        out[name] = sorted((tuple(row) for row in rows), key=repr)
    return out


def _runner(
    spark: SparkSession, lake: str, checkpoints: Path, layers: tuple[str, ...] = ("silver", "gold")
) -> RefineRunner:
    config = RefineConfig(
        lake_path=lake,
        layers=layers,
        silver_checkpoint=str(checkpoints / "silver"),
        gold_checkpoint=str(checkpoints / "gold"),
        trigger=RefineTrigger(continuous=True, seconds=1, rollup_seconds=1),
        vacuum_every_minutes=0,
    )
    return RefineRunner(spark, config)


def test_continuous_queries_give_the_batch_tables_exactly(spark: SparkSession, tmp_path: Path) -> None:
    batch_lake, continuous_lake = str(tmp_path / "batch"), str(tmp_path / "continuous")
    first, second = first_input(), second_input()
    quarantined = [quarantine_row(_ingested_at=M + dt.timedelta(seconds=3))]

    write_quarantine(spark, batch_lake, quarantined)
    for rows in (first, second):
        write_bronze(spark, batch_lake, rows)
        run_silver(spark, batch_lake, str(tmp_path / "cp-batch" / "silver"))
        run_gold(spark, batch_lake, str(tmp_path / "cp-batch" / "gold"))
    expected = tables(spark, batch_lake)
    assert len(expected["silver.trades"]) == 5 and len(expected["silver.trades_duplicates"]) == 1

    runner = _runner(spark, continuous_lake, tmp_path / "cp-continuous")
    try:
        runner.poll()
        # silver's own tables exist from its start, so gold streams them; bronze does not exist yet
        assert "silver_trades" not in runner.running and "gold_bronze_trades_quarantine" not in runner.running
        write_quarantine(spark, continuous_lake, quarantined)
        write_bronze(spark, continuous_lake, first)
        runner.poll()
        assert {"silver_trades", "gold_bronze_trades_quarantine"} <= set(runner.running)
        runner.process_all_available()
        write_bronze(spark, continuous_lake, second)
        runner.process_all_available()
        runner.poll()  # raises if a query failed
    finally:
        runner.stop()
    assert tables(spark, continuous_lake) == expected

    # A restart resumes from the checkpoints: nothing is read again, nothing changes.
    restarted = _runner(spark, continuous_lake, tmp_path / "cp-continuous")
    try:
        restarted.poll()
        restarted.process_all_available()
        read = {name: q.recentProgress for name, q in restarted.running.items()}
    finally:
        restarted.stop()
    assert sum(p["numInputRows"] for progress in read.values() for p in progress) == 0, read
    assert tables(spark, continuous_lake) == expected


def test_the_runner_recomputes_per_trade_alerts_once_on_start(spark: SparkSession, tmp_path: Path) -> None:
    lake, checkpoints = str(tmp_path / "lake"), tmp_path / "cp"
    jump, follower = trade(61, "103.0000", person_name="Ada"), trade(62, "102.0000", person_name="Ada")
    write_bronze(spark, lake, [trade(10, "100.0000", person_name="Ada"), jump, follower])
    run_silver(spark, lake, str(checkpoints / "silver"))
    run_gold(spark, lake, str(checkpoints / "gold"))
    (alert,) = tables(spark, lake)["gold.price_alerts"]
    rows = [row.asDict() for row in spark.read.format("delta").load(table_path(lake, "gold", "price_alerts")).collect()]
    assert [(r["operation_id"], r["crossing_trades"]) for r in rows] == [(jump["operation_id"], 2)]

    per_trade = [{k: v for k, v in rows[0].items() if k not in ADDED_COLUMNS}]
    per_trade.append({**per_trade[0], "operation_id": follower["operation_id"], "price": Decimal("102.0000")})
    write_per_trade_alerts(spark, lake, per_trade)
    runner = _runner(spark, lake, checkpoints, layers=("gold",))
    runner.stop()
    assert tables(spark, lake)["gold.price_alerts"] == [alert]
