"""Shared pytest fixtures for the Glue job tests: one local Spark session with Delta, a fresh lake per test."""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from apicurio_server import ApicurioRegistry
    from kafka_server import KafkaBroker
    from kinesalite_server import Kinesalite

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
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator["SparkSession"]:
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


# Stand-ins shared by the test modules that need them, one per module (a module may override one, e.g.
# with a fresh kinesalite per test or a Kafka broker with secure listeners).
@pytest.fixture(scope="module")
def kinesalite() -> Iterator["Kinesalite"]:
    from kinesalite_server import Kinesalite

    server = Kinesalite()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kafka() -> Iterator["KafkaBroker"]:
    from kafka_server import KafkaBroker

    broker = KafkaBroker()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def registry() -> Iterator["ApicurioRegistry"]:
    """The real schema registry (Apicurio), one for the session: each test registers under its own subject.
    (test_bronze.py's cache test alone uses an in-process stub, to count the requests per schema id.)"""
    from apicurio_server import ApicurioRegistry

    server = ApicurioRegistry()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cloudwatch_endpoint() -> Iterator[str]:
    """moto's CloudWatch on a free loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
