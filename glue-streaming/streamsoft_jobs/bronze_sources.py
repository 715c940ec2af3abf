"""Where a bronze query reads: the `readStream` format and options of its source (Spark's Kafka source, or
the Kinesis reader `--kinesis-reader` chose) and the streaming DataFrame of frames it yields.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from .args import JobArgumentError
from .bronze_config import BronzeConfig
from .bronze_transforms import kafka_frames, kinesis_frames
from .kinesis_positions import parse_timestamp_ms
from .kinesis_readers import aws_connector_frames, kinesis_reader_format, kinesis_reader_options
from .kinesis_source import SOURCE_NAME, KinesisDataSource


def kinesis_starting_position(position: str) -> str:
    """Job `--starting-position` (latest | earliest | trim_horizon | <ISO time or epoch ms>) for Kinesis."""
    lowered = position.strip().lower()
    if lowered in ("earliest", "trim_horizon"):
        return "TRIM_HORIZON"
    if lowered == "latest":
        return "LATEST"
    return f"AT_TIMESTAMP {parse_timestamp_ms(position.strip())}"


def kafka_options(config: BronzeConfig) -> dict[str, str]:
    """Spark Kafka source options: brokers, topic, starting offsets, and MSK authentication."""
    options = {
        "kafka.bootstrap.servers": config.kafka_brokers or "",
        "subscribe": config.stream,
        "failOnDataLoss": "true",
        "includeHeaders": "false",
        # https://spark.apache.org/docs/latest/streaming/structured-streaming-kafka-integration.html
        # ("groupIdPrefix": prefix of the consumer group ids the query generates)
        "groupIdPrefix": config.kafka_group_id_prefix,
    }
    lowered = config.starting_position.strip().lower()
    if lowered in ("earliest", "trim_horizon"):
        options["startingOffsets"] = "earliest"
    elif lowered == "latest":
        options["startingOffsets"] = "latest"
    else:
        options["startingTimestamp"] = str(parse_timestamp_ms(config.starting_position.strip()))
    if config.max_offsets_per_trigger:
        options["maxOffsetsPerTrigger"] = str(config.max_offsets_per_trigger)
    if config.kafka_auth == "iam":
        # Needs the aws-msk-iam-auth jar on the classpath (Glue: --extra-jars); see glue-streaming/README.md.
        options.update(
            {
                "kafka.security.protocol": "SASL_SSL",
                "kafka.sasl.mechanism": "AWS_MSK_IAM",
                "kafka.sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
                "kafka.sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
            }
        )
    elif config.kafka_auth == "tls":
        options["kafka.security.protocol"] = "SSL"
    elif config.kafka_auth == "scram":
        if not config.kafka_username or not config.kafka_password:
            raise JobArgumentError("--kafka-username and --kafka-password: required with --kafka-auth scram")
        user = config.kafka_username.replace('"', '\\"')
        secret = config.kafka_password.replace('"', '\\"')
        options.update(
            {
                "kafka.security.protocol": "SASL_SSL",
                "kafka.sasl.mechanism": "SCRAM-SHA-512",
                "kafka.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{user}" password="{secret}";',
            }
        )
    if config.kafka_ca_file:
        if config.kafka_auth == "none":
            raise JobArgumentError("--kafka-ca-file: needs --kafka-auth tls, scram or iam")
        # Kafka clients read PEM trust stores since 2.7 (KIP-651;
        # https://kafka.apache.org/documentation/#consumerconfigs_ssl.truststore.type).
        options["kafka.ssl.truststore.type"] = "PEM"
        options["kafka.ssl.truststore.location"] = config.kafka_ca_file
    return options


def source_reader(config: BronzeConfig) -> tuple[str, dict[str, str]]:
    """The `readStream` format and options of the query's source: Spark's Kafka source, or the Kinesis
    reader `--kinesis-reader` chose (ours, or AWS's `aws-kinesis` connector)."""
    if config.source == "kafka":
        return "kafka", kafka_options(config)
    reader = config.kinesis_reader
    options = kinesis_reader_options(
        reader,
        config.stream,
        config.region,
        config.kinesis_endpoint,
        kinesis_starting_position(config.starting_position),
        config.checkpoint_path,
    )
    return kinesis_reader_format(reader), options


def source_frames(spark: SparkSession, config: BronzeConfig) -> DataFrame:
    """The streaming DataFrame of frames from the configured transport."""
    source_format, options = source_reader(config)
    if source_format == SOURCE_NAME:
        spark.dataSource.register(KinesisDataSource)
    rows = spark.readStream.format(source_format).options(**options).load()
    if config.source == "kafka":
        return kafka_frames(rows)
    return kinesis_frames(rows) if source_format == SOURCE_NAME else aws_connector_frames(rows)
