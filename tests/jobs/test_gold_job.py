"""The gold job end to end on a local lake: a late trade updates its minute, hour and day on the next
run (and can withdraw an alert), and a run without new input changes nothing, not even the version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from delta_versions import layer_versions
from streamsoft_jobs.gold_job import run_gold
from streamsoft_jobs.gold_refresh import hour_filter, hour_ranges
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
    assert [(a["operation_id"], a["move_pct"]) for a in gold(spark, tmp_lake, "price_alerts")] == [
        (jump["operation_id"], Decimal("1.5000"))
    ]
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


def test_touched_ingest_hours_become_one_range_per_run_of_consecutive_hours() -> None:
    h = dt.datetime(2026, 11, 28, 9, tzinfo=dt.timezone.utc)
    hour = dt.timedelta(hours=1)
    touched = [h + 3 * hour, h, h + hour, h + 5 * hour, h + hour, h + 2 * hour]
    assert hour_ranges(touched) == [(h, h + 4 * hour), (h + 5 * hour, h + 6 * hour)]
    assert hour_ranges([]) == []


def test_the_ingest_hour_filter_keeps_exactly_the_touched_hours_however_many(spark: SparkSession) -> None:
    start = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    # one row in the middle of each of 720 hours (30 days)
    rows = spark.createDataFrame(
        [(start + dt.timedelta(hours=i, minutes=30),) for i in range(720)], "_ingested_at timestamp"
    )
    hour = dt.timedelta(hours=1)
    for touched in (
        [start + i * hour for i in range(600)],  # one long run: one range
        [start + i * hour for i in range(0, 600, 3)],  # 200 separate hours: covering range + exact list
    ):
        kept = rows.where(hour_filter(touched)).collect()
        # collected timestamps are naive (the session and this machine are UTC)
        assert sorted(row[0].replace(minute=0) for row in kept) == [h.replace(tzinfo=None) for h in touched]
