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
def spark(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from streamsoft_jobs.runtime import LOCAL_CONF, spark_session

    jars = sorted(glob.glob(str(SPARK_JARS_DIR / "*.jar")))
    if not jars:
        raise RuntimeError(f"no jars in {SPARK_JARS_DIR}: run `npx streamsoft setup` first")
    # What the local launcher passes to spark-submit (spark_settings.json); Delta and UTC come from the jobs'
    # own session builder.
    session = spark_session(
        "streamsoft-jobs-tests",
        {
            **LOCAL_CONF,
            "spark.jars": ",".join(jars),
            # tests stop streams they started; give a stopping query time on a busy machine
            "spark.sql.streaming.stopTimeout": "60s",
            # not ./spark-warehouse in the checkout
            "spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("spark-warehouse")),
        },
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
