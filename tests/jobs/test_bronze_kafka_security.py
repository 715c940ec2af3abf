"""The bronze job's Spark Kafka source against the Kafka stand-in's secure listeners, as on Amazon MSK:
TLS with the broker certificate checked against a PEM CA file (`--kafka-ca-file`), and SASL/SCRAM-SHA-512
over TLS. The trades are written once over the plaintext listener; each secure read must put exactly them
into bronze."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest
from pyspark.sql import SparkSession

from apicurio_server import ApicurioRegistry
from kafka_server import KafkaBroker
from streamsoft_jobs.bronze_job import run_bronze
from streamsoft_jobs.lake import table_path
from trade_frames import SCHEMAS, V2_ID, bronze_config, frame, trade

COUNT = 120


@pytest.fixture(scope="module")
def kafka() -> Iterator[KafkaBroker]:
    broker = KafkaBroker(security="scram")  # plaintext, TLS and SASL_SSL listeners
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def topic(spark: SparkSession, kafka: KafkaBroker, registry: ApicurioRegistry) -> str:
    name = f"trades-{uuid.uuid4().hex[:8]}"
    # the real registry (Apicurio): the job reads the subject's latest version and the writer schema by id
    v2_id = registry.register(f"{name}-value", SCHEMAS[V2_ID])
    rows = [(f"k{i % 7}", frame(trade(i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(COUNT)]
    (
        spark.createDataFrame(rows, "key string, value binary")
        .write.format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrap)
        .option("topic", name)
        .save()
    )
    return name


@pytest.mark.parametrize(("auth", "listener"), [("tls", "SSL"), ("scram", "SASL_SSL")])
def test_bronze_reads_exactly_the_produced_trades_over_a_secure_listener(
    spark: SparkSession,
    tmp_lake: str,
    tmp_path: Path,
    kafka: KafkaBroker,
    registry: ApicurioRegistry,
    topic: str,
    auth: str,
    listener: str,
) -> None:
    secure = kafka.listeners[listener]
    username: str | None = None
    password: str | None = None
    if auth == "scram":
        assert secure["saslMechanism"] == "SCRAM-SHA-512"
        username = secure["username"]
        password = Path(secure["passwordFile"]).read_text(encoding="utf-8").strip()
    run_bronze(
        spark,
        bronze_config(
            "kafka",
            topic,
            tmp_lake,
            tmp_path / "checkpoint",
            registry.url,
            job_name=f"bronze-{auth}",
            kafka_brokers=secure["endpoint"],
            kafka_auth=auth,
            kafka_ca_file=secure["caFile"],
            kafka_username=username,
            kafka_password=password,
        ),
    )

    bronze = spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades"))
    got = sorted((r["operation_id"], r["price"], r["quantity"]) for r in bronze.collect())
    expected = sorted((t["operation_id"], t["price"], t["quantity"]) for t in (trade(i, 2) for i in range(COUNT)))
    assert got == expected
    assert all(isinstance(price, Decimal) for _, price, _ in got)
