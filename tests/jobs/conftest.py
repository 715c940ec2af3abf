"""Shared pytest fixtures for the Glue job tests: one local Spark session with Delta, a fresh lake per test."""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
JOBS_DIR = REPO_ROOT / "glue-streaming"
SPARK_JARS_DIR = REPO_ROOT / ".tools" / "jars" / "spark"

if str(JOBS_DIR) not in sys.path:
    sys.path.insert(0, str(JOBS_DIR))
# Spark's Python workers must import the jobs package too (UDFs, mapInArrow, Python data sources).
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(JOBS_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
)
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    from pyspark.sql import SparkSession

    jars = sorted(glob.glob(str(SPARK_JARS_DIR / "*.jar")))
    if not jars:
        raise RuntimeError(f"no jars in {SPARK_JARS_DIR}: run `npx streamsoft setup` first")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("streamsoft-jobs-tests")
        .config("spark.jars", ",".join(jars))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog",
            "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        )
        .config("spark.driver.memory", "1g")
        .config("spark.sql.streaming.stopTimeout", "60s")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()


@pytest.fixture
def tmp_lake(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty lake folder for one test (`<tmp>/lake`), as a string path."""
    lake = tmp_path / "lake"
    lake.mkdir()
    yield str(lake)
