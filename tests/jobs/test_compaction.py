"""Compaction (compact_batch.py, streamsoft_jobs/compaction.py) on a local lake: past days' small bronze
files become one per day, today's are left alone, every reader sees the same rows, the silver stream reads
nothing twice, and VACUUM deletes only what is older than its retention."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections import Counter
from pathlib import Path

import deltalake
import pytest
from delta.tables import DeltaTable
from pyspark.sql import SparkSession

import compact_batch
from delta_versions import SILVER_TABLES, latest_version, layer_versions
from streamsoft_jobs.compaction import run_compaction
from streamsoft_jobs.lake import table_path
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.runtime import BATCH_CONF
from streamsoft_jobs.silver_job import run_silver
from synthetic_bronze import BASE_TIME, bronze_row, write_bronze

PAST_DAY = BASE_TIME.date()
POLICY = QualityPolicy(future_tolerance=dt.timedelta(days=3650), lateness_window=dt.timedelta(days=3650))
TODAY = PAST_DAY + dt.timedelta(days=1)  # the day compaction treats as current


def files_per_day(path: str) -> Counter[str]:
    """Live data files of the table's current version, counted per event_date partition (delta-rs reads it)."""
    return Counter(uri.rsplit("/", 2)[-2] for uri in deltalake.DeltaTable(path).file_uris())


def coordinates(spark: SparkSession, path: str) -> list[tuple[str, str]]:
    rows = spark.read.format("delta").load(path).select("_source_partition", "_source_offset").collect()
    return sorted((r[0], r[1]) for r in rows)


def append_small_files(spark: SparkSession, lake: str, days: list[dt.datetime], files: int) -> int:
    """One append of `files` small files per day (the shape the bronze stream leaves); returns the row count."""
    rows = [bronze_row(timestamp=day + dt.timedelta(minutes=i)) for day in days for i in range(4 * files)]
    write_bronze(spark, lake, rows, files=files)
    return len(rows)


def test_past_days_become_one_file_with_the_same_rows_and_the_silver_stream_reads_nothing_twice(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    bronze = table_path(tmp_lake, "bronze", "trades")
    written = append_small_files(spark, tmp_lake, [BASE_TIME, BASE_TIME + dt.timedelta(days=1)], 6)
    checkpoint = str(tmp_path / "checkpoints" / "silver")
    first = run_silver(spark, tmp_lake, checkpoint, POLICY)
    assert first.total("trades") == written

    before_files = files_per_day(bronze)
    before_rows = coordinates(spark, bronze)
    past, today = f"event_date={PAST_DAY}", f"event_date={TODAY}"
    assert before_files[past] >= 3 and before_files[today] >= 3

    [result, quarantine] = run_compaction(spark, tmp_lake, before=TODAY)

    after_files = files_per_day(bronze)
    assert after_files[past] == 1, "the past day is one file"
    assert after_files[today] == before_files[today], "the current day is not rewritten"
    assert (result.table, result.exists, result.vacuumed) == ("bronze.trades", True, True)
    assert result.files_removed == before_files[past] and result.files_added == 1
    assert result.files_before == sum(before_files.values()) and result.files_after == sum(after_files.values())
    assert (quarantine.table, quarantine.exists) == ("bronze.trades_quarantine", False)

    assert coordinates(spark, bronze) == before_rows
    assert len(deltalake.DeltaTable(bronze).to_pyarrow_table()) == len(before_rows)
    # OPTIMIZE commits no data change: the silver stream reads no row of it again and commits nothing
    silver_versions = layer_versions(spark, tmp_lake, "silver", SILVER_TABLES)
    second = run_silver(spark, tmp_lake, checkpoint, POLICY)
    assert second.total("bronze_rows") == 0
    assert layer_versions(spark, tmp_lake, "silver", SILVER_TABLES) == silver_versions
    assert spark.read.format("delta").load(table_path(tmp_lake, "silver", "trades")).count() == written

    # a second run finds nothing left to compact in the past day
    [again, _] = run_compaction(spark, tmp_lake, before=TODAY)
    assert again.files_removed == 0 and files_per_day(bronze) == after_files


def test_vacuum_keeps_what_is_younger_than_the_tables_retention_and_deletes_what_is_older(
    spark: SparkSession, tmp_lake: str
) -> None:
    bronze = table_path(tmp_lake, "bronze", "trades")
    written = append_small_files(spark, tmp_lake, [BASE_TIME], 4)
    partition = Path(bronze) / f"event_date={PAST_DAY}"
    replaced = sorted(partition.glob("*.parquet"))
    live = files_per_day(bronze)

    def orphans() -> tuple[Path, Path]:
        """Files no table version references (a crashed writer's leftovers), one old and one recent."""
        old, new = partition / "part-old-orphan.parquet", partition / "part-new-orphan.parquet"
        for orphan in (old, new):
            orphan.write_bytes(replaced[0].read_bytes())
        eight_days_ago = time.time() - 8 * 24 * 3600  # delta.deletedFileRetentionDuration defaults to 7 days
        os.utime(old, (eight_days_ago, eight_days_ago))
        return old, new

    # VACUUM only (a table the job must not OPTIMIZE, such as silver's while silver runs)
    old_orphan, new_orphan = orphans()
    [only_vacuum] = run_compaction(spark, tmp_lake, tables=(), vacuum_tables=("bronze.trades",), before=TODAY)
    assert (only_vacuum.optimized, only_vacuum.vacuumed, only_vacuum.files_removed) == (False, True, 0)
    assert files_per_day(bronze) == live
    assert not old_orphan.exists(), "an unreferenced file older than the retention is deleted"
    assert new_orphan.exists(), "an unreferenced file younger than the retention is kept"

    # OPTIMIZE then VACUUM
    old_orphan, new_orphan = orphans()
    [result, _] = run_compaction(spark, tmp_lake, before=TODAY)
    assert result.optimized and result.vacuumed and result.files_removed == len(replaced)
    assert not old_orphan.exists() and new_orphan.exists()
    assert all(f.exists() for f in replaced), "files replaced just now stay for readers of older versions"
    previous = spark.read.format("delta").option("versionAsOf", latest_version(spark, bronze) - 1).load(bronze)
    assert previous.count() == written


def test_silver_runs_with_the_batch_settings_compact_the_small_files_they_write(
    spark: SparkSession, tmp_lake: str, tmp_path: Path
) -> None:
    for minute in range(3):
        write_bronze(spark, tmp_lake, [bronze_row(timestamp=BASE_TIME + dt.timedelta(minutes=minute))])
    # what silver_batch.py and gold_batch.py start their session with, and a threshold this test reaches
    settings = {**BATCH_CONF, "spark.databricks.delta.autoCompact.minNumFiles": "2"}
    previous = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        summary = run_silver(spark, tmp_lake, str(tmp_path / "checkpoint"), POLICY, max_files_per_trigger=1)
    finally:
        for key, original in previous.items():
            if original is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, original)

    silver = table_path(tmp_lake, "silver", "trades")
    assert len(summary.batches) == 3 and summary.total("trades") == 3
    operations = [row["operation"] for row in DeltaTable.forPath(spark, silver).history().collect()]
    assert operations.count("WRITE") == 3 and "OPTIMIZE" in operations, operations  # one append per batch
    assert files_per_day(silver)[f"event_date={PAST_DAY}"] == 1
    assert spark.read.format("delta").load(silver).count() == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tables", "bronze.trades,bronze.nope"], "--tables: unknown table 'bronze.nope'"),
        (["--vacuum-tables", "all,gold.nope"], "--vacuum-tables: unknown table 'all'"),
        (["--before-date", "yesterday"], "--before-date: expected a date YYYY-MM-DD (got 'yesterday')"),
        (["--vacuum", "maybe"], "--vacuum: expected true or false"),
        ([], "--lake-path: required argument is missing"),
    ],
)
def test_bad_arguments_exit_2_with_one_log_line_naming_the_argument(
    argv: list[str], message: str, caplog: pytest.LogCaptureFixture
) -> None:
    lake = [] if argv == [] else ["--lake-path", "/nonexistent"]
    assert compact_batch.main([*lake, *argv]) == 2
    errors = [(r.name, r.getMessage()) for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0][0] == "compact_batch" and errors[0][1].startswith(message), errors


def test_a_failed_run_exits_1_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A unit test of the entry point's error path: the run itself is replaced by one that fails as Spark
    # does (a multi-line message), and no session is started.
    def failing_run(*_args: object) -> None:
        raise RuntimeError("[DELTA_TABLE_NOT_FOUND] no table\n\tat org.apache.spark...")

    monkeypatch.setattr(compact_batch, "spark_session", lambda *_args: None)
    monkeypatch.setattr(compact_batch, "run_compaction", failing_run)
    assert compact_batch.main(["--lake-path", "/nonexistent"]) == 1
    errors = [(r.name, r.getMessage()) for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0][0] == "compact_batch", errors
    assert errors[0][1] == "compact job failed: [DELTA_TABLE_NOT_FOUND] no table"
