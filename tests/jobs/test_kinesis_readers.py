"""`--kinesis-reader`: our partitioned reader by default, AWS's bundled `aws-kinesis` connector on request,
each with its own option names for the same limits."""

from __future__ import annotations

import pytest

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.kinesis_readers import (
    KinesisReaderConfig,
    aws_starting_position,
    kinesis_reader_format,
    kinesis_reader_options,
)


def options(argv: list[str]) -> tuple[str, dict[str, str]]:
    config = KinesisReaderConfig.from_args(parse_job_args(argv))
    return kinesis_reader_format(config), kinesis_reader_options(
        config, "trades", "eu-west-1", None, "AT_TIMESTAMP 1764316800000", "s3://bucket/checkpoints/bronze"
    )


def test_ours_is_the_default_and_keeps_its_ends_in_the_checkpoint() -> None:
    fmt, opts = options(["--max-records-per-trigger", "2000"])
    assert fmt == "streamsoft-kinesis"
    assert opts["metadataPath"] == "s3://bucket/checkpoints/bronze/kinesis-shard-ends"
    assert opts["maxRecordsPerShard"] == "2000" and opts["maxBytesPerShard"] == str(64 * 1024 * 1024)
    assert opts["startingPosition"] == "AT_TIMESTAMP 1764316800000" and "endpointUrl" not in opts


def test_the_aws_connector_with_enhanced_fan_out() -> None:
    fmt, opts = options(["--kinesis-reader", "aws", "--kinesis-efo-consumer", "bronze"])
    assert fmt == "aws-kinesis"
    assert opts["kinesis.consumerType"] == "SubscribeToShard" and opts["kinesis.consumerName"] == "bronze"
    assert opts["kinesis.endpointUrl"] == "https://kinesis.eu-west-1.amazonaws.com"
    assert opts["kinesis.startingPosition"] == "AT_TIMESTAMP 2025-11-28T08:00:00Z"
    assert opts["kinesis.metadataPath"] == "s3://bucket/checkpoints/bronze/aws-kinesis-metadata"
    assert options(["--kinesis-reader", "aws"])[1]["kinesis.consumerType"] == "GetRecords"
    assert aws_starting_position("LATEST") == "LATEST"


def test_bad_arguments_fail_with_one_line() -> None:
    with pytest.raises(JobArgumentError, match="--kinesis-reader: expected one of streamsoft, aws"):
        options(["--kinesis-reader", "glue"])
    with pytest.raises(JobArgumentError, match="--kinesis-efo-consumer"):
        options(["--kinesis-efo-consumer", "x"])
    with pytest.raises(JobArgumentError, match="--max-bytes-per-shard"):
        options(["--max-bytes-per-shard", "0"])
