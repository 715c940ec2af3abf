"""The gold job end to end on a local lake: a late trade updates its minute, hour and day on the next
run (and can withdraw an alert or replace one), a run without new input changes nothing, not even the
version, and alerts an older gold job wrote one per trade become one per minute at the next start."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from delta_versions import latest_version, layer_versions
from per_trade_alerts import ADDED_COLUMNS, write_per_trade_alerts
from streamsoft_jobs.gold_job import run_gold
from streamsoft_jobs.gold_tables import ALERTS, GoldPaths, gold_schemas
from streamsoft_jobs.lake import table_path
from streamsoft_jobs.lake_tables import TABLE_NAMES, written_by
from streamsoft_jobs.silver_job import run_silver
from synthetic_bronze import bronze_row, quarantine_row, write_bronze, write_quarantine

GOLD_TABLES = tuple(name.split(".")[1] for name in written_by("gold"))
M = dt.datetime(2026, 11, 20, 9, 15, tzinfo=dt.timezone.utc)
NAIVE_M = M.replace(tzinfo=None)


def gold(spark: SparkSession, lake: str, table: str) -> list[dict[str, Any]]:
    return [r.asDict() for r in spark.read.format("delta").load(table_path(lake, "gold", table)).collect()]


def delta_tables(lake: str) -> set[str]:
    """`layer.table` of every Delta table in the lake folder."""
    return {f"{log.parent.parent.name}.{log.parent.name}" for log in Path(lake).glob("*/*/_delta_log")}


def trade(seconds: int, price: str, **extra: object) -> dict[str, Any]:
    timestamp = M + dt.timedelta(seconds=seconds)
    return bronze_row(timestamp=timestamp, price=Decimal(price), person_name="Ada", **extra)


def test_late_trade_updates_its_keys_and_a_rerun_changes_nothing(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    silver_cp, gold_cp = str(tmp_path / "cp" / "silver"), str(tmp_path / "cp" / "gold")

    def run() -> None:
        run_silver(spark, tmp_lake, silver_cp)
        run_gold(spark, tmp_lake, gold_cp, Decimal("1.0"))

    jump = trade(61, "203.0000")
    write_bronze(spark, tmp_lake, [trade(10, "100.0000"), trade(50, "200.0000"), jump])
    write_quarantine(spark, tmp_lake, [quarantine_row(_ingested_at=M + dt.timedelta(seconds=3))])
    run()
    # The jobs create exactly the tables of the lake-table contract, which the Glue catalog registers.
    assert delta_tables(tmp_lake) == set(TABLE_NAMES)
    bars = {r["minute"]: r for r in gold(spark, tmp_lake, "ohlcv_1m")}
    assert (bars[NAIVE_M]["close"], bars[NAIVE_M]["trade_count"]) == (Decimal("200.0000"), 2)
    assert [
        (a["operation_id"], a["move_pct"], a["crossing_trades"], a["max_abs_move_pct"])
        for a in gold(spark, tmp_lake, "price_alerts")
    ] == [(jump["operation_id"], Decimal("1.5000"), 1, Decimal("1.5000"))]
    (health,) = gold(spark, tmp_lake, "pipeline_health_hourly")
    assert (health["bronze_rows"], health["silver_rows"], health["quarantined"]) == (3, 3, 1)

    settled = layer_versions(spark, tmp_lake, "gold", GOLD_TABLES)
    contents = {t: gold(spark, tmp_lake, t) for t in GOLD_TABLES}
    run()
    assert layer_versions(spark, tmp_lake, "gold", GOLD_TABLES) == settled
    assert {t: gold(spark, tmp_lake, t) for t in GOLD_TABLES} == contents

    # Arrives an hour after its event time: it belongs to minute M, so M's close moves to 203 and the
    # jump at M+1 is no longer a move at all.
    late = trade(
        55, "203.0000", _arrival_at=M + dt.timedelta(hours=1), _ingested_at=M + dt.timedelta(hours=1, seconds=1)
    )
    write_bronze(spark, tmp_lake, [late])
    run()
    bars = {r["minute"]: r for r in gold(spark, tmp_lake, "ohlcv_1m")}
    assert (bars[NAIVE_M]["close"], bars[NAIVE_M]["high"], bars[NAIVE_M]["trade_count"]) == (
        Decimal("203.0000"),
        Decimal("203.0000"),
        3,
    )
    assert bars[NAIVE_M]["vwap"] == Decimal("167.666667")  # 5030 / 30, half-up
    assert gold(spark, tmp_lake, "price_alerts") == []
    (activity,) = gold(spark, tmp_lake, "exchange_activity_hourly")
    assert (activity["trades"], activity["notional"]) == (4, Decimal("7060.0000"))
    (leader,) = gold(spark, tmp_lake, "trader_leaderboard_daily")
    assert (leader["trades"], leader["rank"], leader["notional_usd"]) == (4, 1, Decimal("7060.0000"))
    health_by_hour = {r["hour"]: r for r in gold(spark, tmp_lake, "pipeline_health_hourly")}
    late_hour = health_by_hour[NAIVE_M.replace(minute=0) + dt.timedelta(hours=1)]
    assert (late_hour["bronze_rows"], late_hour["silver_rows"], late_hour["ingest_lag_p50_ms"]) == (1, 1, 3_546_000)


def alerts(spark: SparkSession, lake: str) -> list[tuple[Any, ...]]:
    return sorted(
        (a["minute"], a["operation_id"], a["timestamp"], a["price"], a["move_pct"], a["direction"],
         a["crossing_trades"], a["max_abs_move_pct"])
        for a in gold(spark, lake, "price_alerts")
    )  # fmt: skip


def test_a_late_trade_that_crosses_first_replaces_its_minutes_alert(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    def run() -> None:
        run_silver(spark, tmp_lake, str(tmp_path / "cp" / "silver"))
        run_gold(spark, tmp_lake, str(tmp_path / "cp" / "gold"), Decimal("1.0"))

    # A jump at M+1 and trades that stay near it: one alert for the minute, not one per trade.
    jump = trade(62, "203.0000")
    write_bronze(spark, tmp_lake, [trade(50, "200.0000"), jump, trade(63, "204.0000"), trade(64, "201.0000")])
    run()
    minute = NAIVE_M + dt.timedelta(minutes=1)
    assert alerts(spark, tmp_lake) == [
        (minute, jump["operation_id"], NAIVE_M + dt.timedelta(seconds=62), Decimal("203.0000"), Decimal("1.5000"),
         "up", 2, Decimal("2.0000")),
    ]  # fmt: skip

    # Arrives an hour late with an event time before the jump's: it is now the minute's first crossing
    # trade, and its row replaces the jump's.
    late = trade(
        61, "196.0000", _arrival_at=M + dt.timedelta(hours=1), _ingested_at=M + dt.timedelta(hours=1, seconds=1)
    )
    write_bronze(spark, tmp_lake, [late])
    run()
    assert alerts(spark, tmp_lake) == [
        (minute, late["operation_id"], NAIVE_M + dt.timedelta(seconds=61), Decimal("196.0000"), Decimal("-2.0000"),
         "down", 3, Decimal("2.0000")),
    ]  # fmt: skip


def test_per_trade_alerts_of_an_older_gold_job_become_one_alert_per_minute_once(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    silver_cp, gold_cp = str(tmp_path / "cp" / "silver"), str(tmp_path / "cp" / "gold")
    second = trade(62, "204.0000")
    write_bronze(spark, tmp_lake, [trade(50, "200.0000"), trade(61, "203.0000"), second])
    run_silver(spark, tmp_lake, silver_cp)
    run_gold(spark, tmp_lake, gold_cp, Decimal("1.0"))
    (alert,) = gold(spark, tmp_lake, "price_alerts")
    assert (alert["crossing_trades"], alert["max_abs_move_pct"]) == (2, Decimal("2.0000"))

    def old(**changes: Any) -> dict[str, Any]:
        return {name: value for name, value in {**alert, **changes}.items() if name not in ADDED_COLUMNS}

    # The lake as an older gold job left it: a row per crossing trade, without the new columns, and a row
    # of a minute that no longer raises an alert.
    write_per_trade_alerts(
        spark,
        tmp_lake,
        [
            old(),
            old(operation_id=second["operation_id"], timestamp=NAIVE_M + dt.timedelta(seconds=62),
                price=Decimal("204.0000"), move_pct=Decimal("2.0000")),
            old(operation_id="withdrawn", minute=NAIVE_M + dt.timedelta(minutes=2),
                prev_minute=NAIVE_M + dt.timedelta(minutes=1)),
        ],
    )  # fmt: skip
    # Silver has nothing new: only the start-up migration writes.
    run_gold(spark, tmp_lake, gold_cp, Decimal("1.0"))
    path = GoldPaths(tmp_lake).alerts
    assert spark.read.format("delta").load(path).schema.names == gold_schemas(spark)[ALERTS].names
    assert gold(spark, tmp_lake, "price_alerts") == [alert]

    migrated = latest_version(spark, path)
    run_gold(spark, tmp_lake, gold_cp, Decimal("1.0"))
    assert latest_version(spark, path) == migrated
