"""Time-bucket filters (time_ranges.py): they keep exactly the rows of the touched minutes, and Delta skips
the files that hold none of them, which is what keeps silver's and gold's micro-batches O(touched minutes)
rather than O(day)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from streamsoft_jobs.time_ranges import HOUR, MINUTE, bucket_filter, bucket_ranges

START = dt.datetime(2026, 12, 7, 9, 0)  # naive: collected timestamps are naive (session and machine in UTC)


def test_consecutive_minutes_merge_into_one_range() -> None:
    touched = [START + dt.timedelta(minutes=m) for m in (3, 0, 1, 5, 1, 2)]
    assert bucket_ranges(touched, MINUTE) == [
        (START, START + dt.timedelta(minutes=4)),
        (START + dt.timedelta(minutes=5), START + dt.timedelta(minutes=6)),
    ]
    with pytest.raises(ValueError, match="no bucket given"):
        bucket_filter([], MINUTE, "timestamp")


def test_the_minute_filter_keeps_exactly_the_touched_minutes_however_scattered(spark: SparkSession) -> None:
    # two rows in each of 120 minutes: at :00.000 and at :59.999
    rows = spark.createDataFrame(
        [(START + dt.timedelta(minutes=m, seconds=s),) for m in range(120) for s in (0, 59.999)], "timestamp timestamp"
    )
    for touched_minutes in (range(10, 40), range(0, 120, 7)):  # one run (one range); 18 scattered minutes
        touched = [START + dt.timedelta(minutes=m) for m in touched_minutes]
        kept = rows.where(bucket_filter(touched, MINUTE, "timestamp")).collect()
        assert sorted(row[0].replace(second=0, microsecond=0) for row in kept) == sorted(touched * 2)


def test_delta_never_opens_the_files_of_other_minutes(spark: SparkSession, tmp_path: Path) -> None:
    table = str(tmp_path / "trades")
    for hour in range(3):  # one file per append, an hour apart, like silver's micro-batches
        at = START + dt.timedelta(hours=hour)
        spark.createDataFrame(
            [(at + dt.timedelta(seconds=s), f"t{hour}-{s}") for s in (5, 50)], "timestamp timestamp, id string"
        ).coalesce(1).write.format("delta").mode("append").save(table)
    files = sorted(Path(table).glob("*.parquet"), key=lambda f: f.stat().st_mtime)
    assert len(files) == 3
    # Without the files of the first and last hour, only a read that skips them by statistics can succeed.
    files[0].unlink()
    files[2].unlink()
    middle = START + dt.timedelta(hours=1)
    kept = spark.read.format("delta").load(table).where(bucket_filter([middle], MINUTE, "timestamp"))
    assert sorted(row.id for row in kept.collect()) == ["t1-5", "t1-50"]
    with pytest.raises(Exception, match="(?i)not exist|FileNotFound|FAILED_READ_FILE"):
        spark.read.format("delta").load(table).collect()


def test_touched_ingest_hours_become_one_range_per_run_of_consecutive_hours() -> None:
    h = dt.datetime(2026, 11, 28, 9, tzinfo=dt.timezone.utc)
    hour = dt.timedelta(hours=1)
    touched = [h + 3 * hour, h, h + hour, h + 5 * hour, h + hour, h + 2 * hour]
    assert bucket_ranges(touched, HOUR) == [(h, h + 4 * hour), (h + 5 * hour, h + 6 * hour)]
    assert bucket_ranges([], HOUR) == []


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
        kept = rows.where(bucket_filter(touched, HOUR, "_ingested_at")).collect()
        # collected timestamps are naive (the session and this machine are UTC)
        assert sorted(row[0].replace(minute=0) for row in kept) == [h.replace(tzinfo=None) for h in touched]
