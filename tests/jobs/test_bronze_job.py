"""Bronze job configuration: Glue-style arguments → sources, starting positions and MSK authentication."""

from __future__ import annotations

import pytest

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.bronze_job import (
    BronzeConfig,
    BronzeJobConfig,
    CompactionSchedule,
    kafka_options,
    kinesis_starting_position,
)

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
