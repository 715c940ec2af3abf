"""The shared jobs package: Glue-style arguments, lake paths, conservative tables, idempotent appends."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql.types import LongType, StringType, StructField, StructType

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs import lake_tables
from streamsoft_jobs.lake import append_idempotent, ensure_table, table_path


def test_args_tolerate_glue_extras_and_flags() -> None:
    args = parse_job_args(
        [
            "--JOB_NAME",
            "bronze",
            "--job-bookmark-option",
            "job-bookmark-disable",
            "--TempDir",
            "s3://tmp/",
            "--lake-path=s3://lake",
            "--available-now",
            "--trigger-seconds",
            "5",
        ],
        required=["JOB_NAME", "lake-path"],
    )
    assert args.require("JOB_NAME") == "bronze"
    assert args.get("lake_path") == "s3://lake"
    assert args.get_bool("available-now") is True
    assert args.get_int("trigger-seconds", 10) == 5
    assert args.get_bool("missing", default=False) is False


def test_args_name_the_missing_or_invalid_one() -> None:
    with pytest.raises(JobArgumentError, match="--lake-path"):
        parse_job_args(["--JOB_NAME", "x"], required=["lake-path"])
    with pytest.raises(JobArgumentError, match="--source"):
        parse_job_args(["--source", "pubsub"]).get_choice("source", ["kinesis", "kafka"])


def test_table_path_joins_layer_and_table() -> None:
    assert table_path("s3://b/lake/", "bronze", "trades") == "s3://b/lake/bronze/trades"


def test_ensure_table_is_conservative_and_append_is_idempotent(spark: SparkSession, tmp_lake: str) -> None:
    schema = StructType([StructField("id", LongType()), StructField("day", StringType())])
    path = table_path(tmp_lake, "bronze", "t")
    ensure_table(spark, path, schema, partition_by=["day"])
    ensure_table(spark, path, schema, partition_by=["day"])  # second call is a no-op
    props = {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES delta.`{path}`").collect()}
    assert props["delta.enableDeletionVectors"] == "false"

    df = spark.createDataFrame([(1, "a"), (2, "b")], schema)
    append_idempotent(df, path, "app", 0, partition_by=["day"])
    append_idempotent(df, path, "app", 0, partition_by=["day"])  # replayed batch: skipped
    assert spark.read.format("delta").load(path).count() == 2
    append_idempotent(df, path, "app", 1, partition_by=["day"])
    assert spark.read.format("delta").load(path).count() == 4


def test_the_lake_table_contract_loads_from_the_package_zip_as_glue_ships_it(tmp_path: Path) -> None:
    # Glue puts the --extra-py-files zip on sys.path; the contract is a data file inside it.
    package = Path(lake_tables.__file__).parent
    archive = tmp_path / "streamsoft_jobs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in package.rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts:
                zf.write(file, f"streamsoft_jobs/{file.relative_to(package)}")
    out = subprocess.run(
        [sys.executable, "-c", "from streamsoft_jobs import lake_tables as t; print(t.__file__, t.TABLE_NAMES)"],
        env={**os.environ, "PYTHONPATH": str(archive)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(archive) in out
    assert "'silver.trades_duplicates'" in out
    assert lake_tables.written_by("bronze") == ("bronze.trades", "bronze.trades_quarantine")
    assert {t.writer for t in lake_tables.LAKE_TABLES} == set(lake_tables.LAYERS)
