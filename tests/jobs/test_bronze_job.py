"""Bronze job configuration: Glue-style arguments → sources, starting positions and MSK authentication."""

from __future__ import annotations

import pytest

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.bronze_job import BronzeConfig, kafka_options, kinesis_starting_position

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


def test_a_kafka_ca_file_becomes_a_pem_trust_store_and_none_keeps_the_jvm_default() -> None:
    base = ("--source", "kafka", "--kafka-brokers", "b:9094")
    for auth in ("tls", "iam"):
        assert "kafka.ssl.truststore.location" not in kafka_options(config(*base, "--kafka-auth", auth))
    tls = kafka_options(config(*base, "--kafka-auth", "tls", "--kafka-ca-file", "/certs/ca.pem"))
    assert tls["kafka.security.protocol"] == "SSL"
    assert (tls["kafka.ssl.truststore.type"], tls["kafka.ssl.truststore.location"]) == ("PEM", "/certs/ca.pem")
    with pytest.raises(JobArgumentError, match="--kafka-ca-file: needs --kafka-auth"):
        kafka_options(config(*base, "--kafka-ca-file", "/certs/ca.pem"))
