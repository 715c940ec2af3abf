"""Which Kinesis reader the bronze job uses (`--kinesis-reader`), and the options each one takes.

`streamsoft` (default): our partitioned Python data source (`kinesis_source.py`), the reader every local
run and test exercises. `aws`: the `aws-kinesis` connector Glue 5.0+ bundles (awslabs
spark-sql-kinesis-connector), for enhanced fan-out. BRONZE.md "Which Kinesis reader runs on AWS" says why
ours is the default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .args import JobArgs, JobArgumentError
from .kinesis_positions import parse_timestamp_ms
from .kinesis_source import SOURCE_NAME, metadata_path_for

KINESIS_READERS = ("streamsoft", "aws")
DEFAULT_KINESIS_READER = "streamsoft"
AWS_CONNECTOR_FORMAT = "aws-kinesis"


@dataclass(frozen=True)
class KinesisReaderConfig:
    """The limits that size one micro-batch, and which reader applies them."""

    reader: str = DEFAULT_KINESIS_READER
    max_records_per_shard: int = 50000
    max_bytes_per_shard: int = 64 * 1024 * 1024
    efo_consumer_name: str | None = None

    @staticmethod
    def from_args(args: JobArgs) -> "KinesisReaderConfig":
        reader = args.get_choice("kinesis-reader", list(KINESIS_READERS), DEFAULT_KINESIS_READER)
        config = KinesisReaderConfig(
            reader=reader,
            max_records_per_shard=args.get_int("max-records-per-trigger", 50000),
            max_bytes_per_shard=args.get_int("max-bytes-per-shard", 64 * 1024 * 1024),
            efo_consumer_name=args.get("kinesis-efo-consumer") or None,
        )
        if config.max_records_per_shard < 1 or config.max_bytes_per_shard < 1:
            raise JobArgumentError("--max-records-per-trigger and --max-bytes-per-shard: must be 1 or more")
        if config.efo_consumer_name and reader != "aws":
            raise JobArgumentError("--kinesis-efo-consumer: only with --kinesis-reader aws (enhanced fan-out)")
        return config


def kinesis_reader_format(config: KinesisReaderConfig) -> str:
    return SOURCE_NAME if config.reader == "streamsoft" else AWS_CONNECTOR_FORMAT


def kinesis_reader_options(
    config: KinesisReaderConfig,
    stream: str,
    region: str,
    endpoint_url: str | None,
    starting_position: str,
    checkpoint_path: str,
) -> dict[str, str]:
    """`readStream` options for the chosen reader. `starting_position` is ours (kinesis_starting_position)."""
    if config.reader == "streamsoft":
        options = {
            "streamName": stream,
            "region": region,
            "startingPosition": starting_position,
            "metadataPath": metadata_path_for(checkpoint_path),
            "maxRecordsPerShard": str(config.max_records_per_shard),
            "maxBytesPerShard": str(config.max_bytes_per_shard),
        }
        if endpoint_url:
            options["endpointUrl"] = endpoint_url
        return options
    # https://github.com/awslabs/spark-sql-kinesis-connector#kinesis-source-configuration
    options = {
        "kinesis.streamName": stream,
        "kinesis.region": region,
        "kinesis.endpointUrl": endpoint_url or f"https://kinesis.{region}.amazonaws.com",
        "kinesis.startingPosition": aws_starting_position(starting_position),
        "kinesis.maxFetchRecordsPerShard": str(config.max_records_per_shard),
        # its own per-batch end records, next to ours in the checkpoint (HDFS committer on S3)
        "kinesis.metadataCommitterType": "HDFS",
        "kinesis.metadataPath": checkpoint_path.rstrip("/") + "/aws-kinesis-metadata",
        "kinesis.consumerType": "SubscribeToShard" if config.efo_consumer_name else "GetRecords",
    }
    if config.efo_consumer_name:
        options["kinesis.consumerName"] = config.efo_consumer_name
    return options


def aws_starting_position(position: str) -> str:
    """Ours (`AT_TIMESTAMP <epoch ms>`) in the connector's form (`AT_TIMESTAMP 2023-08-30T19:00:05Z`)."""
    if not position.upper().startswith("AT_TIMESTAMP"):
        return position
    at = dt.datetime.fromtimestamp(parse_timestamp_ms(position[len("AT_TIMESTAMP") :].strip()) / 1000, dt.timezone.utc)
    return f"AT_TIMESTAMP {at.strftime('%Y-%m-%dT%H:%M:%SZ')}"


def aws_connector_frames(df: DataFrame) -> DataFrame:
    """Rows of the `aws-kinesis` connector as frames. It has no shard column: `_source_partition` is null
    and a record is identified by its sequence number alone."""
    return df.select(
        F.col("data").alias("raw"),
        F.lit("kinesis").alias("_source"),
        F.lit(None).cast("string").alias("_source_partition"),
        F.col("sequenceNumber").alias("_source_offset"),
        F.col("approximateArrivalTimestamp").alias("_arrival_at"),
    )
