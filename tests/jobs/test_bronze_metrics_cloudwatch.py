"""The bronze query publishing its batch metrics to a real CloudWatch stand-in (moto's server on a free
loopback port) while it drains a kinesalite stream or a real Kafka broker (where Spark's Kafka source
reports how far each batch is behind the latest offset); and a CloudWatch that cannot be reached does not
stop the stream."""

from __future__ import annotations

import datetime as dt
import logging
import math
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator
from pyspark.sql import SparkSession

import boto3
import pytest

from kafka_server import KafkaBroker
from apicurio_server import ApicurioRegistry
from kinesalite_server import Kinesalite, free_port, put_all
from streamsoft_jobs.bronze_config import BronzeConfig
from streamsoft_jobs.bronze_job import run_bronze
from streamsoft_jobs.kinesis_readers import KinesisReaderConfig
from streamsoft_jobs.lake import table_path
from trade_frames import SCHEMAS, V2_ID, bronze_config, frame, trade

NAMESPACE = "StreamSoft/Bronze"


@pytest.fixture()  # one per test: a CI run once found the module's kinesalite gone by the second test
def kinesalite() -> Iterator[Kinesalite]:
    server = Kinesalite()
    yield server
    server.stop()


def cloudwatch(endpoint: str) -> Any:
    return boto3.client(
        "cloudwatch",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def published(client: Any, job_name: str, source: str) -> tuple[set[str], Callable[[str], dict[str, Any]]]:
    """The metric names published for (job_name, source), each listed with exactly those dimensions, and a
    lookup of one metric's statistics over the last hour as its single datapoint."""
    dimensions = [{"Name": "JobName", "Value": job_name}, {"Name": "Source", "Value": source}]
    listed = client.list_metrics(Namespace=NAMESPACE, Dimensions=[dimensions[0]])["Metrics"]
    assert all(sorted(m["Dimensions"], key=lambda d: d["Name"]) == dimensions for m in listed)
    now = dt.datetime.now(dt.timezone.utc)

    def statistics(metric: str) -> dict[str, Any]:
        points: list[dict[str, Any]] = client.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName=metric,
            Dimensions=dimensions,
            Statistics=["Sum", "SampleCount", "Minimum", "Maximum"],
            StartTime=now - dt.timedelta(hours=1),
            EndTime=now + dt.timedelta(minutes=5),
            Period=7200,
        )["Datapoints"]
        assert len(points) == 1, points
        return points[0]

    return {m["MetricName"] for m in listed}, statistics


def kinesis_config(
    kinesalite: Kinesalite, registry: ApicurioRegistry, stream: str, lake: str, tmp_path: Path, **extra: Any
) -> BronzeConfig:
    return bronze_config(
        "kinesis",
        stream,
        lake,
        tmp_path / "checkpoint",
        registry.url,
        job_name=f"bronze-metrics-{stream}",
        kinesis_endpoint=kinesalite.endpoint,
        kinesis_reader=KinesisReaderConfig(max_records_per_shard=20),
        **extra,
    )


def test_each_batch_publishes_duration_and_rows_to_cloudwatch(
    spark: SparkSession, tmp_lake: str, tmp_path: Path, kinesalite: Kinesalite, cloudwatch_endpoint: str, registry: ApicurioRegistry
) -> None:
    stream = f"trades-{uuid.uuid4().hex[:8]}"
    kinesalite.create_stream(stream, 2)
    v2_id = registry.register(f"{stream}-value", SCHEMAS[V2_ID])
    records = [(f"k{i}", frame(trade(i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(70)] + [("bad", b"\x09garbage")]
    put_all(kinesalite.client(), stream, records)
    config = kinesis_config(
        kinesalite,
        registry,
        stream,
        tmp_lake,
        tmp_path,
        cloudwatch_namespace=NAMESPACE,
        cloudwatch_endpoint=cloudwatch_endpoint,
    )
    run_bronze(spark, config)
    assert spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades")).count() == 70

    names, statistics = published(cloudwatch(cloudwatch_endpoint), config.job_name, "kinesis")
    assert names == {"BatchDurationMs", "InputRows"}

    rows = statistics("InputRows")
    # every record read is an input row, the quarantined one included; a batch reads at most 20 records
    # from each of the 2 shards, so 71 records take at least 2 batches, each with its own datapoint
    assert rows["Sum"] == 71.0 and rows["SampleCount"] >= 2
    durations = statistics("BatchDurationMs")
    assert durations["SampleCount"] == rows["SampleCount"] and durations["Minimum"] > 0


def test_an_unreachable_cloudwatch_is_logged_and_the_stream_keeps_going(
    spark: SparkSession, tmp_lake: str, tmp_path: Path, kinesalite: Kinesalite, caplog: pytest.LogCaptureFixture, registry: ApicurioRegistry
) -> None:
    stream = f"trades-{uuid.uuid4().hex[:8]}"
    kinesalite.create_stream(stream, 1)
    v2_id = registry.register(f"{stream}-value", SCHEMAS[V2_ID])
    closed_port = free_port()  # nothing listens there
    put_all(kinesalite.client(), stream, [(f"k{i}", frame(trade(i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(45)])
    config = kinesis_config(
        kinesalite,
        registry,
        stream,
        tmp_lake,
        tmp_path,
        cloudwatch_namespace=NAMESPACE,
        cloudwatch_endpoint=f"http://127.0.0.1:{closed_port}",
    )
    with caplog.at_level(logging.WARNING, logger="streamsoft_jobs.bronze_metrics"):
        run_bronze(spark, config)
    assert spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades")).count() == 45
    failures = [r.getMessage() for r in caplog.records if r.name == "streamsoft_jobs.bronze_metrics"]
    assert failures, "each failed publish is logged"
    assert all(m.startswith("could not publish ") and NAMESPACE in m and "\n" not in m for m in failures)


def test_kafka_batches_publish_how_far_they_are_behind_the_latest_offset(
    spark: SparkSession, tmp_lake: str, tmp_path: Path, kafka: KafkaBroker, cloudwatch_endpoint: str, registry: ApicurioRegistry
) -> None:
    topic = f"trades-{uuid.uuid4().hex[:8]}"
    v2_id = registry.register(f"{topic}-value", SCHEMAS[V2_ID])
    rows = [(f"k{i}", frame(trade(i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(100)]
    (
        spark.createDataFrame(rows, "key string, value binary")
        .write.format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrap)
        .option("topic", topic)
        .save()
    )
    config = bronze_config(
        "kafka",
        topic,
        tmp_lake,
        tmp_path / "checkpoint",
        registry.url,
        job_name=f"bronze-metrics-{topic}",
        kafka_brokers=kafka.bootstrap,
        max_offsets_per_trigger=30,  # 100 records → 4 batches, the first three leaving some behind
        cloudwatch_namespace=NAMESPACE,
        cloudwatch_endpoint=cloudwatch_endpoint,
    )
    run_bronze(spark, config)
    assert spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades")).count() == 100

    names, statistics = published(cloudwatch(cloudwatch_endpoint), config.job_name, "kafka")
    assert names == {"BatchDurationMs", "InputRows", "MaxOffsetsBehindLatest", "AvgOffsetsBehindLatest"}

    rows_in = statistics("InputRows")
    assert rows_in["Sum"] == 100.0 and rows_in["SampleCount"] >= 4
    behind = statistics("MaxOffsetsBehindLatest")
    # the first batch read 30 of 100 offsets, leaving 70 behind over the topic's partitions, so at least
    # one partition was 70 / partitions behind; the last batch caught up
    assert behind["SampleCount"] == rows_in["SampleCount"]
    assert behind["Maximum"] >= math.ceil(70 / kafka.partitions) and behind["Minimum"] == 0
