"""The silver job end to end on a local lake: incremental runs, cross-run deduplication, idempotence
(no new Delta version without new input), replayed batches and the lateness policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from delta_versions import SILVER_TABLES, layer_versions
from streamsoft_jobs.lake import table_path
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.silver_job import SilverPaths, process_batch, run_silver
from synthetic_bronze import BASE_TIME, bronze_row, write_bronze


def ids(spark: SparkSession, lake: str, table: str, column: str = "operation_id") -> list[str]:
    return sorted(
        r[0] for r in spark.read.format("delta").load(table_path(lake, "silver", table)).select(column).collect()
    )


def test_incremental_runs_deduplicate_across_runs_and_rerun_changes_nothing(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    checkpoint = str(tmp_path / "checkpoints" / "silver")
    a, b, c = bronze_row(), bronze_row(), bronze_row()
    bad = bronze_row(price=Decimal("-1.0000"))
    write_bronze(spark, tmp_lake, [a, b, c, bad, dict(a, _source_offset="retry-1")])

    first = run_silver(spark, tmp_lake, checkpoint)
    assert (first.total("bronze_rows"), first.total("trades"), first.total("rejected"), first.total("duplicates")) == (
        5,
        3,
        1,
        1,
    )
    assert ids(spark, tmp_lake, "trades") == sorted([a["operation_id"], b["operation_id"], c["operation_id"]])
    assert ids(spark, tmp_lake, "trades_rejected", "rule") == ["non_positive_price"]
    before = layer_versions(spark, tmp_lake, "silver", SILVER_TABLES)

    again = run_silver(spark, tmp_lake, checkpoint)
    assert again.batches == []
    assert layer_versions(spark, tmp_lake, "silver", SILVER_TABLES) == before

    d = bronze_row()
    write_bronze(
        spark,
        tmp_lake,
        [dict(b, _source_offset="replay-b"), dict(bad, _source_offset="replay-bad"), d],
    )
    second = run_silver(spark, tmp_lake, checkpoint)
    assert (second.total("trades"), second.total("rejected"), second.total("duplicates")) == (1, 0, 2)
    assert len(ids(spark, tmp_lake, "trades")) == 4
    dups = spark.read.format("delta").load(table_path(tmp_lake, "silver", "trades_duplicates"))
    assert sorted((r["_source_offset"], r["reason"]) for r in dups.collect()) == [
        ("replay-b", "already_processed"),
        ("replay-bad", "already_processed"),
        ("retry-1", "duplicate_in_batch"),
    ]


def test_a_batch_replayed_after_a_crash_writes_nothing_twice(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    rows = [bronze_row(), bronze_row(quantity=0), bronze_row()]
    rows.append(dict(rows[0], _source_offset="dup"))
    write_bronze(spark, tmp_lake, rows)
    paths = SilverPaths.of(tmp_lake)
    run_silver(spark, tmp_lake, str(tmp_path / "cp-unused"))  # creates tables, processes once
    contents = {t: ids(spark, tmp_lake, t, "_source_offset") for t in SILVER_TABLES}
    before = layer_versions(spark, tmp_lake, "silver", SILVER_TABLES)

    batch = spark.read.format("delta").load(paths.bronze_trades)
    counts = process_batch(spark, paths, QualityPolicy(), batch, batch_id=0)
    assert (counts.trades, counts.rejected, counts.duplicates) == (0, 0, 0)
    assert {t: ids(spark, tmp_lake, t, "_source_offset") for t in SILVER_TABLES} == contents
    assert layer_versions(spark, tmp_lake, "silver", SILVER_TABLES) == before


def test_a_batch_replayed_after_a_crash_between_its_writes_completes_what_is_missing(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    """A crash after the batch's silver.trades append, before its rejected and duplicates appends: the replay
    adds exactly the missing rows and nothing to silver.trades (the writes are appends, not MERGEs)."""
    rows = [bronze_row(), bronze_row(quantity=0), bronze_row()]
    rows.append(dict(rows[0], _source_offset="dup"))
    write_bronze(spark, tmp_lake, rows)
    paths = SilverPaths.of(tmp_lake)
    run_silver(spark, tmp_lake, str(tmp_path / "cp-unused"))
    contents = {t: ids(spark, tmp_lake, t, "_source_offset") for t in SILVER_TABLES}
    assert all(contents.values())
    for lost in (paths.rejected, paths.duplicates):
        DeltaTable.forPath(spark, lost).delete()

    batch = spark.read.format("delta").load(paths.bronze_trades)
    counts = process_batch(spark, paths, QualityPolicy(), batch, batch_id=0)
    assert (counts.trades, counts.rejected, counts.duplicates) == (0, 1, 1)
    assert {t: ids(spark, tmp_lake, t, "_source_offset") for t in SILVER_TABLES} == contents


def test_lateness_policy_accepts_a_week_and_rejects_older_as_too_late(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    arrival = BASE_TIME
    two_days = bronze_row(timestamp=arrival - dt.timedelta(days=2), _arrival_at=arrival)
    eight_days = bronze_row(timestamp=arrival - dt.timedelta(days=8), _arrival_at=arrival)
    write_bronze(spark, tmp_lake, [two_days, eight_days])
    run_silver(spark, tmp_lake, str(tmp_path / "cp"))
    assert ids(spark, tmp_lake, "trades") == [two_days["operation_id"]]
    rejected = spark.read.format("delta").load(table_path(tmp_lake, "silver", "trades_rejected")).collect()
    assert [(r["operation_id"], r["rule"]) for r in rejected] == [(eight_days["operation_id"], "too_late")]
    partitions = (
        spark.read.format("delta").load(table_path(tmp_lake, "silver", "trades")).select("event_date").collect()
    )
    assert [r[0] for r in partitions] == [(arrival - dt.timedelta(days=2)).date()]
