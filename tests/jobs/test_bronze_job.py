"""Bronze job configuration: Glue-style arguments → sources, starting positions, the Kinesis reader and MSK
authentication; and the query started with the reader `--kinesis-reader` chose."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest
from pyspark.sql import SparkSession
from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader
from pyspark.sql.types import BinaryType, StringType, StructField, StructType, TimestampType

import bronze_streaming
from apicurio_server import ApicurioRegistry
from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.bronze_config import BronzeConfig, BronzeJobConfig
from streamsoft_jobs.bronze_job import CompactionSchedule, run_bronze
from streamsoft_jobs.bronze_query import restart_reason
from streamsoft_jobs.bronze_sources import kafka_options, kinesis_starting_position, source_reader
from streamsoft_jobs.kinesis_readers import kinesis_reader_options
from streamsoft_jobs.lake import table_path
from trade_frames import SCHEMAS, V2_ID, frame, trade

BASE = ["--lake-path", "/lake", "--checkpoint-path", "/ck", "--registry-url", "http://127.0.0.1:1/r"]


def config(*extra: str) -> BronzeConfig:
    return BronzeConfig.from_args(parse_job_args([*BASE, *extra]))


def test_kinesis_defaults_and_glue_extras() -> None:
    c = config("--JOB_NAME", "bronze", "--job-bookmark-option", "job-bookmark-disable", "--stream-name", "t")
    assert (c.source, c.stream, c.subject, c.reader_schema) == ("kinesis", "t", "t-value", "registry")
    assert c.starting_position == "earliest" and c.available_now is False and c.trigger_seconds == 5


def test_msk_needs_brokers_and_uses_the_topic() -> None:
    with pytest.raises(JobArgumentError, match="--kafka-brokers"):
        config("--source", "msk", "--topic", "t")
    c = config("--source", "msk", "--topic", "orders", "--kafka-brokers", "b:9098", "--available-now", "true")
    assert (c.source, c.stream, c.available_now) == ("kafka", "orders", True)


def test_only_known_transient_query_failures_restart_the_query() -> None:
    # Spark 4.1.1 waits a fixed 10 s for a new Python worker (PythonWorkerFactory); SPARK-55271 is Kafka's
    slow = "org.apache.spark.SparkException: Python worker failed to connect back."
    assert restart_reason("kinesis", slow) is not None
    assert restart_reason("kafka", slow) is not None
    nul = 'java.lang.NullPointerException: the return value of "scala.Option.get()" is null'
    assert restart_reason("kafka", nul) is not None
    assert restart_reason("kinesis", nul) is None
    assert restart_reason("kinesis", "DELTA_CONCURRENT_APPEND: files were added") is None


def test_starting_positions_per_source() -> None:
    assert kinesis_starting_position("earliest") == "TRIM_HORIZON"
    assert kinesis_starting_position("latest") == "LATEST"
    assert kinesis_starting_position("2025-11-28T08:00:00Z") == "AT_TIMESTAMP 1764316800000"
    kafka = config("--source", "kafka", "--kafka-brokers", "b:9092", "--starting-position", "1764316800000")
    assert kafka_options(kafka)["startingTimestamp"] == "1764316800000"
    assert kafka_options(config("--source", "kafka", "--kafka-brokers", "b"))["startingOffsets"] == "earliest"


def test_the_kafka_consumer_group_prefix_is_the_one_the_msk_policy_allows() -> None:
    # Spark names its consumer groups `<groupIdPrefix>-<uuid>-…`; its default prefix is "spark-kafka-source".
    assert kafka_options(config("--source", "kafka", "--kafka-brokers", "b"))["groupIdPrefix"] == "streamsoft-bronze"
    chosen = config("--source", "kafka", "--kafka-brokers", "b", "--kafka-group-id-prefix", "team-a-bronze")
    assert kafka_options(chosen)["groupIdPrefix"] == "team-a-bronze"


def test_msk_iam_and_scram_options() -> None:
    iam = kafka_options(config("--source", "kafka", "--kafka-brokers", "b:9098", "--kafka-auth", "iam"))
    assert iam["kafka.security.protocol"] == "SASL_SSL"
    assert iam["kafka.sasl.mechanism"] == "AWS_MSK_IAM"
    assert iam["kafka.sasl.jaas.config"] == "software.amazon.msk.auth.iam.IAMLoginModule required;"
    assert iam["kafka.sasl.client.callback.handler.class"].endswith("IAMClientCallbackHandler")
    with pytest.raises(JobArgumentError, match="--kafka-username"):
        kafka_options(config("--source", "kafka", "--kafka-brokers", "b", "--kafka-auth", "scram"))
    scram = kafka_options(
        config("--source", "kafka", "--kafka-brokers", "b", "--kafka-auth", "scram", "--kafka-username", "u", "--kafka-password", "p")
    )
    assert scram["kafka.sasl.mechanism"] == "SCRAM-SHA-512" and 'username="u"' in scram["kafka.sasl.jaas.config"]


TWO = ["--lake-path", "/lake", "--registry-url", "http://127.0.0.1:1/r", "--kafka-brokers", "b:9098", "--JOB_NAME", "sb"]


def job(*extra: str) -> BronzeJobConfig:
    return BronzeJobConfig.from_args(parse_job_args([*TWO, *extra]))


def test_one_job_reads_several_sources_each_with_its_own_checkpoint() -> None:
    both = job("--source", "kinesis,msk", "--kinesis-checkpoint-path", "/ck/k", "--kafka-checkpoint-path", "/ck/m")
    assert [(c.source, c.checkpoint_path, c.name, c.job_name) for c in both.sources] == [
        ("kinesis", "/ck/k", "sb-kinesis", "sb"),
        ("kafka", "/ck/m", "sb-kafka", "sb"),
    ]
    # one source: --checkpoint-path will do, and its own argument wins over it
    assert job("--source", "kinesis", "--checkpoint-path", "/ck").sources[0].checkpoint_path == "/ck"
    assert job("--source", "msk", "--checkpoint-path", "/ck", "--kafka-checkpoint-path", "/m").sources[0].checkpoint_path == "/m"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "kinesis,kafka", "--checkpoint-path", "/ck"], "--kinesis-checkpoint-path: required"),
        (["--source", "kinesis,kafka", "--kinesis-checkpoint-path", "/a"], "--kafka-checkpoint-path: required"),
        (["--source", "kinesis,kafka", "--kinesis-checkpoint-path", "/a", "--kafka-checkpoint-path", "/a"], "its own checkpoint"),
        (["--source", "kafka,msk", "--checkpoint-path", "/ck"], "named twice"),
        (["--source", "kinesis,pubsub", "--checkpoint-path", "/ck"], "got 'pubsub'"),
        (["--checkpoint-path", "/ck", "--compact-every-minutes", "-1"], "--compact-every-minutes: must be 0"),
        (["--checkpoint-path", "/ck", "--compact-every-minutes", "hourly"], "--compact-every-minutes: expected an integer"),
    ],
)
def test_bad_source_and_compaction_arguments_are_named(argv: list[str], message: str) -> None:
    with pytest.raises(JobArgumentError, match=message):
        job(*argv)


def test_compaction_interval_defaults_to_an_hour_and_zero_turns_it_off() -> None:
    assert job("--checkpoint-path", "/ck").compact_every_seconds == 3600.0
    assert job("--checkpoint-path", "/ck", "--compact-every-minutes", "15").compact_every_seconds == 900.0
    assert job("--checkpoint-path", "/ck", "--compact-every-minutes", "0").compact_every_seconds is None


def test_compaction_is_due_at_start_then_every_interval_after_the_last_one_ended() -> None:
    now = [100.0]
    schedule = CompactionSchedule(60.0, clock=lambda: now[0])
    assert schedule.due()
    now[0] = 130.0  # the compaction took 30 s
    schedule.ran()
    now[0] = 189.0
    assert not schedule.due()
    now[0] = 190.0
    assert schedule.due()
    off = CompactionSchedule(None, clock=lambda: now[0])
    assert not off.due()


def test_a_kafka_ca_file_becomes_a_pem_trust_store_and_none_keeps_the_jvm_default() -> None:
    base = ("--source", "kafka", "--kafka-brokers", "b:9094")
    for auth in ("tls", "iam"):
        assert "kafka.ssl.truststore.location" not in kafka_options(config(*base, "--kafka-auth", auth))
    tls = kafka_options(config(*base, "--kafka-auth", "tls", "--kafka-ca-file", "/certs/ca.pem"))
    assert tls["kafka.security.protocol"] == "SSL"
    assert (tls["kafka.ssl.truststore.type"], tls["kafka.ssl.truststore.location"]) == ("PEM", "/certs/ca.pem")
    with pytest.raises(JobArgumentError, match="--kafka-ca-file: needs --kafka-auth"):
        kafka_options(config(*base, "--kafka-ca-file", "/certs/ca.pem"))


def test_the_kinesis_reader_is_ours_by_default_with_the_job_s_limits() -> None:
    c = config("--kinesis-endpoint", "http://127.0.0.1:4567", "--max-records-per-trigger", "500", "--starting-position", "latest")
    source_format, options = source_reader(c)
    assert source_format == "streamsoft-kinesis"
    assert options == {
        "streamName": "trades",
        "region": "us-east-1",
        "startingPosition": "LATEST",
        "metadataPath": "/ck/kinesis-shard-ends",
        "maxRecordsPerShard": "500",
        "maxBytesPerShard": str(64 * 1024 * 1024),
        "endpointUrl": "http://127.0.0.1:4567",
    }
    # the same argument caps a Kafka batch, across all partitions
    kafka = config("--source", "kafka", "--kafka-brokers", "b", "--max-records-per-trigger", "500")
    assert source_reader(kafka) == ("kafka", kafka_options(kafka)) and kafka_options(kafka)["maxOffsetsPerTrigger"] == "500"
    assert "maxOffsetsPerTrigger" not in kafka_options(config("--source", "kafka", "--kafka-brokers", "b"))


def test_kinesis_reader_aws_starts_the_bundled_connector_with_enhanced_fan_out() -> None:
    c = config("--kinesis-reader", "aws", "--kinesis-efo-consumer", "bronze", "--region", "eu-west-1", "--stream-name", "t")
    source_format, options = source_reader(c)
    assert source_format == "aws-kinesis"
    assert options["kinesis.streamName"] == "t" and options["kinesis.region"] == "eu-west-1"
    assert options["kinesis.consumerType"] == "SubscribeToShard" and options["kinesis.consumerName"] == "bronze"
    assert options["kinesis.startingPosition"] == "TRIM_HORIZON"
    assert options["kinesis.metadataPath"] == "/ck/aws-kinesis-metadata"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--kinesis-reader", "glue"], "--kinesis-reader: expected one of streamsoft, aws (got 'glue')"),
        (["--kinesis-efo-consumer", "bronze"], "--kinesis-efo-consumer: only with --kinesis-reader aws (enhanced fan-out)"),
        (["--max-records-per-trigger", "0"], "--max-records-per-trigger and --max-bytes-per-shard: must be 1 or more"),
        (["--max-records-per-trigger", "lots"], "--max-records-per-trigger: expected an integer (got 'lots')"),
        # a Kafka-only job refuses a bad Kinesis reader too, rather than ignoring it
        (["--source", "msk", "--kafka-brokers", "b", "--kinesis-reader", "glue"], "--kinesis-reader: expected one of"),
    ],
)
def test_a_bad_kinesis_reader_argument_ends_the_job_with_one_line(
    argv: list[str], message: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bronze_streaming"):
        assert bronze_streaming.main([*BASE, *argv]) == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith(message) and "\n" not in errors[0]


# The columns the `aws-kinesis` connector emits (https://github.com/awslabs/spark-sql-kinesis-connector
# "Kinesis source schema"): no shard id.
AWS_CONNECTOR_SCHEMA = StructType(
    [
        StructField("data", BinaryType()),
        StructField("streamName", StringType()),
        StructField("partitionKey", StringType()),
        StructField("sequenceNumber", StringType()),
        StructField("approximateArrivalTimestamp", TimestampType()),
    ]
)


def aws_connector_stand_in(records: list[tuple[Any, ...]]) -> type[DataSource]:
    """A Python data source under the connector's format name and schema, serving `records` once and writing
    the options it was started with to `<kinesis.metadataPath>/options.json`. The connector's jar is not on
    Maven Central (BRONZE.md "Which Kinesis reader runs on AWS"), so no local run can start the real one;
    this checks what the job hands it. Defined in a function: Spark's workers get the class by value."""

    class Reader(SimpleDataSourceStreamReader):
        def __init__(self, options: Mapping[str, str]) -> None:
            folder = Path(options["kinesis.metadataPath"])  # Spark's options: keys case-insensitive, stored lowercased
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "options.json").write_text(json.dumps(dict(options)), encoding="utf-8")

        def initialOffset(self) -> dict[str, int]:
            return {"next": 0}

        def read(self, start: dict[str, int]) -> tuple[Iterator[tuple[Any, ...]], dict[str, int]]:
            return iter(records[start["next"] :]), {"next": len(records)}

        def readBetweenOffsets(self, start: dict[str, int], end: dict[str, int]) -> Iterator[tuple[Any, ...]]:
            return iter(records[start["next"] : end["next"]])

    class AwsKinesisStandIn(DataSource):
        @classmethod
        def name(cls) -> str:
            return "aws-kinesis"

        def schema(self) -> StructType:
            return AWS_CONNECTOR_SCHEMA

        def simpleStreamReader(self, schema: StructType) -> SimpleDataSourceStreamReader:
            return Reader(self.options)

    return AwsKinesisStandIn


def test_the_job_starts_its_query_with_the_aws_connector_when_asked(
    spark: SparkSession, tmp_lake: str, tmp_path: Path, registry: ApicurioRegistry
) -> None:
    stream = f"t-{uuid.uuid4().hex[:8]}"
    v2_id = registry.register(f"{stream}-value", SCHEMAS[V2_ID])  # the real registry (Apicurio)
    arrival = dt.datetime(2026, 11, 28, 9, 30, 1)
    records = [(frame(trade(i, 2), v2_id, SCHEMAS[V2_ID]), stream, f"k{i}", f"4959{i:04d}", arrival) for i in range(12)]
    spark.dataSource.register(aws_connector_stand_in(records))
    argv = ["--lake-path", tmp_lake, "--checkpoint-path", str(tmp_path / "ck"), "--registry-url", registry.url]
    c = BronzeConfig.from_args(
        parse_job_args([*argv, "--stream-name", stream, "--kinesis-reader", "aws", "--available-now", "true"])
    )
    run_bronze(spark, c)

    started_with = json.loads((tmp_path / "ck" / "aws-kinesis-metadata" / "options.json").read_text(encoding="utf-8"))
    expected = kinesis_reader_options(c.kinesis_reader, stream, "us-east-1", None, "TRIM_HORIZON", str(tmp_path / "ck"))
    assert {k.lower(): v for k, v in started_with.items()} == {k.lower(): v for k, v in expected.items()}
    rows = spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades")).collect()
    # the connector has no shard column: a record is its sequence number alone
    assert sorted((r["_source"], r["_source_partition"], r["_source_offset"]) for r in rows) == [
        ("kinesis", None, f"4959{i:04d}") for i in range(12)
    ]
    assert sorted(r["operation_id"] for r in rows) == sorted(trade(i, 2)["operation_id"] for i in range(12))
