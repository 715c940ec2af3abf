"""The bronze streaming job's wiring: configuration from job arguments, the source, the trigger, the sink.

`run_bronze` is what `bronze_streaming.py` calls on Glue and locally; tests call it with their own session.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from .args import JobArgs, JobArgumentError
from .bronze import BronzeSink, ensure_bronze_tables, kafka_frames, kinesis_frames
from .bronze_metrics import BronzeMetricsListener, CloudWatchPublisher, cloudwatch_client
from .kinesis_source import KinesisDataSource, metadata_path_for, parse_timestamp_ms
from .registry import registry_client

log = logging.getLogger(__name__)

DEFAULT_STREAM = "trades"
KAFKA_AUTH_MODES = ("none", "iam", "tls", "scram")


# Session settings for the streaming job. Adaptive query execution re-plans every micro-batch's small
# jobs for no gain here (each batch is a decode and two appends); turning it off saved ~15% per batch.
STREAMING_CONF: Mapping[str, str] = {"spark.sql.adaptive.enabled": "false"}


@dataclass(frozen=True)
class BronzeConfig:
    job_name: str
    source: str  # kinesis | kafka
    stream: str  # Kinesis stream name or Kafka topic
    lake_path: str
    checkpoint_path: str
    registry_url: str
    reader_schema: str  # "registry" (latest of the subject) or a path to an .avsc file
    subject: str
    kinesis_endpoint: str | None = None
    region: str = "us-east-1"
    kafka_brokers: str | None = None
    kafka_auth: str = "none"
    kafka_username: str | None = None
    kafka_password: str | None = None
    # Spark's Kafka source names its consumer groups `<prefix>-<query uuid>-…`; MSK IAM policies grant
    # group permissions by name, so the prefix must be the one the policy allows.
    kafka_group_id_prefix: str = "streamsoft-bronze"
    trigger_seconds: int = 5
    starting_position: str = "earliest"
    available_now: bool = False
    max_records_per_trigger: int | None = None
    # Per-batch CloudWatch metrics (bronze_metrics.py) are published only when a namespace is given.
    cloudwatch_namespace: str | None = None
    cloudwatch_endpoint: str | None = None

    @staticmethod
    def from_args(args: JobArgs) -> "BronzeConfig":
        source = args.get_choice("source", ["kinesis", "kafka", "msk"], "kinesis")
        source = "kafka" if source == "msk" else source
        stream = args.get("topic") if source == "kafka" else args.get("stream-name")
        stream = stream or args.get("stream-name") or args.get("topic") or DEFAULT_STREAM
        kafka_brokers = args.get("kafka-brokers")
        if source == "kafka" and not kafka_brokers:
            raise JobArgumentError("--kafka-brokers: required when --source is kafka")
        trigger_seconds = args.get_int("trigger-seconds", 5)
        if trigger_seconds < 0:
            raise JobArgumentError(f"--trigger-seconds: must be 0 or more (got {trigger_seconds})")
        max_records = args.get("max-records-per-trigger")
        endpoint = args.get("kinesis-endpoint")
        cloudwatch_endpoint = args.get("cloudwatch-endpoint")
        return BronzeConfig(
            job_name=args.get("JOB_NAME") or "streamsoft-bronze",
            source=source,
            stream=stream,
            lake_path=args.require("lake-path"),
            checkpoint_path=args.require("checkpoint-path"),
            registry_url=args.require("registry-url"),
            reader_schema=args.get("reader-schema") or "registry",
            subject=args.get("subject") or f"{stream}-value",
            kinesis_endpoint=None if endpoint in (None, "", "aws") else endpoint,
            region=args.get("region") or "us-east-1",
            kafka_brokers=kafka_brokers,
            kafka_auth=args.get_choice("kafka-auth", KAFKA_AUTH_MODES, "none"),
            kafka_username=args.get("kafka-username"),
            kafka_password=args.get("kafka-password"),
            kafka_group_id_prefix=args.get("kafka-group-id-prefix") or "streamsoft-bronze",
            trigger_seconds=trigger_seconds,
            starting_position=args.get("starting-position") or "earliest",
            available_now=args.get_bool("available-now"),
            max_records_per_trigger=int(max_records) if max_records else None,
            cloudwatch_namespace=args.get("cloudwatch-namespace") or None,
            cloudwatch_endpoint=None if cloudwatch_endpoint in (None, "", "aws") else cloudwatch_endpoint,
        )


def load_reader_schema(config: BronzeConfig) -> Mapping[str, Any]:
    """The reader schema every record is decoded into: a local .avsc file, or the subject's latest version."""
    if config.reader_schema == "registry":
        schema_id, schema = registry_client(config.registry_url).latest_schema(config.subject)
        log.info("reader schema: latest version of %s (id %d)", config.subject, schema_id)
        return schema
    log.info("reader schema: %s", config.reader_schema)
    return json.loads(Path(config.reader_schema).read_text(encoding="utf-8"))


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
    if config.max_records_per_trigger:
        options["maxOffsetsPerTrigger"] = str(config.max_records_per_trigger)
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
    return options


def source_frames(spark: SparkSession, config: BronzeConfig) -> DataFrame:
    """The streaming DataFrame of frames from the configured transport."""
    if config.source == "kafka":
        reader = spark.readStream.format("kafka")
        for key, value in kafka_options(config).items():
            reader = reader.option(key, value)
        return kafka_frames(reader.load())
    spark.dataSource.register(KinesisDataSource)
    reader = (
        spark.readStream.format(KinesisDataSource.name())
        .option("streamName", config.stream)
        .option("region", config.region)
        .option("startingPosition", kinesis_starting_position(config.starting_position))
        .option("metadataPath", metadata_path_for(config.checkpoint_path))
    )
    if config.kinesis_endpoint:
        reader = reader.option("endpointUrl", config.kinesis_endpoint)
    if config.max_records_per_trigger:
        reader = reader.option("maxRecordsPerShard", str(config.max_records_per_trigger))
    return kinesis_frames(reader.load())


def start_bronze(spark: SparkSession, config: BronzeConfig) -> StreamingQuery:
    """Creates the bronze tables if needed and starts the query (available-now or every N seconds)."""
    ensure_bronze_tables(spark, config.lake_path)
    sink = BronzeSink(
        lake_path=config.lake_path,
        reader_schema=load_reader_schema(config),
        registry_url=config.registry_url,
    )
    writer = (
        source_frames(spark, config)
        .writeStream.queryName(config.job_name)
        .option("checkpointLocation", config.checkpoint_path)
        .foreachBatch(sink)
    )
    if config.available_now and config.source == "kafka":
        writer = writer.trigger(availableNow=True)
    elif config.available_now:
        # Python data sources do not support Trigger.AvailableNow (Spark falls back to one batch, which
        # is neither complete past the per-batch cap nor safe after a crash): run batches back to back
        # and let `run_bronze` stop the query once a batch finds no new data.
        writer = writer.trigger(processingTime="0 seconds")
    else:
        writer = writer.trigger(processingTime=f"{config.trigger_seconds} seconds")
    query = writer.start()
    sink.bind_query(config.job_name, str(query.id))
    log.info(
        "bronze query %s started: %s %s -> %s (checkpoint %s)",
        query.id,
        config.source,
        config.stream,
        config.lake_path,
        config.checkpoint_path,
    )
    return query


# Spark 4.1.1's Kafka source fails progress reporting (NullPointerException in KafkaMicroBatchStream
# .metrics, SPARK-55271) right after it replays an uncommitted batch on restart, i.e. after every crash.
# The replayed batch is already written (idempotently) and committed by then, so starting the query again
# from its checkpoint is safe; anything else that fails the query is raised.
_KAFKA_REPLAY_METRICS_BUG = 'the return value of "scala.Option.get()" is null'
_MAX_RESTARTS = 3


def run_bronze(spark: SparkSession, config: BronzeConfig, stop_requested: threading.Event | None = None) -> None:
    """Runs the job until it is done or asked to stop; raises the query's error if it failed.

    Done means: with --available-now, everything in the stream when checked is in bronze (Kafka: the
    offsets at start, via Trigger.AvailableNow; Kinesis: until a check finds no new record, via
    processAllAvailable); otherwise never, until `stop_requested` is set (a signal).
    """
    stop_requested = stop_requested or threading.Event()
    listener = metrics_listener(config)
    if listener is not None:
        spark.streams.addListener(listener)
    try:
        for attempt in range(_MAX_RESTARTS + 1):
            try:
                query = _run_query(spark, config, stop_requested)
                if listener is not None:
                    _wait_for_last_progress(listener, query)
                return
            except Exception as error:
                known = config.source == "kafka" and _KAFKA_REPLAY_METRICS_BUG in str(error)
                if not known or attempt == _MAX_RESTARTS or stop_requested.is_set():
                    raise
                log.warning("Kafka source progress bug after a replayed batch (SPARK-55271); restarting the query")
    finally:
        if listener is not None:
            spark.streams.removeListener(listener)


def metrics_listener(config: BronzeConfig) -> BronzeMetricsListener | None:
    """The listener publishing per-batch metrics to `--cloudwatch-namespace`, or None when none is given."""
    if not config.cloudwatch_namespace:
        return None
    publisher = CloudWatchPublisher(
        config.cloudwatch_namespace, cloudwatch_client(config.region, config.cloudwatch_endpoint)
    )
    log.info("publishing batch metrics to CloudWatch namespace %s", config.cloudwatch_namespace)
    return BronzeMetricsListener(config.job_name, config.source, publisher.publish)


def _wait_for_last_progress(listener: BronzeMetricsListener, query: StreamingQuery) -> None:
    last = query.lastProgress
    if last is not None and not listener.wait_until_handled(str(last["runId"]), int(last["batchId"]), 10.0):
        log.warning("bronze metrics: the last batch's progress event was not handled in time; its metrics are lost")


def _run_query(spark: SparkSession, config: BronzeConfig, stop_requested: threading.Event) -> StreamingQuery:
    query = start_bronze(spark, config)
    drained = threading.Event()
    if config.available_now and config.source == "kinesis":

        def drain() -> None:
            try:
                query.processAllAvailable()
            except Exception:  # the query failed; its exception is raised below
                log.debug("processAllAvailable ended with the query's failure")
            drained.set()

        threading.Thread(target=drain, name="bronze-drain", daemon=True).start()
    # Poll instead of blocking in awaitTermination, so a signal handler only has to set an Event.
    while query.isActive:
        if stop_requested.is_set() or drained.is_set():
            log.info("stopping the bronze query %s (%s)", query.id, "drained" if drained.is_set() else "asked to stop")
            query.stop()
            break
        query.awaitTermination(1)
    error = query.exception()
    if error is not None:
        raise error
    return query
