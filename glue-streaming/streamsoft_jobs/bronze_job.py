"""The bronze streaming job's wiring: configuration from job arguments, the sources, the trigger, the sink,
and the compaction of the bronze tables.

One driver writes the bronze tables: Delta's default S3 log store is only transactional when every write
to a table comes from a single Spark driver (https://docs.delta.io/latest/delta-storage.html#amazon-s3).
So one job runs one streaming query per configured source (each with its own checkpoint) and compacts
the tables itself, between its polls of the queries, instead of a second job doing it.

`run_bronze_job` is what `bronze_streaming.py` calls on Glue and locally; tests call it (or `run_bronze`,
for one source) with their own session.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from .args import JobArgs, JobArgumentError
from .bronze_metrics import BronzeMetricsListener, CloudWatchPublisher, cloudwatch_client
from .bronze_sink import BronzeSink, ensure_bronze_tables
from .bronze_transforms import kafka_frames, kinesis_frames
from .compaction import DEFAULT_TABLES, TableCompaction, run_compaction
from .kinesis_readers import KinesisReaderConfig, aws_connector_frames, kinesis_reader_format, kinesis_reader_options
from .kinesis_source import SOURCE_NAME, KinesisDataSource, parse_timestamp_ms
from .reader_schemas import DEFAULT_REFRESH_SECONDS, ReaderSchema
from .registry import registry_client

log = logging.getLogger(__name__)

DEFAULT_STREAM = "trades"
KAFKA_AUTH_MODES = ("none", "iam", "tls", "scram")
SOURCES = ("kinesis", "kafka")
DEFAULT_COMPACT_EVERY_MINUTES = 60


@dataclass(frozen=True)
class BronzeConfig:
    """One source's streaming query: where it reads, where it keeps its checkpoint, how it triggers."""

    job_name: str
    source: str  # kinesis | kafka
    stream: str  # Kinesis stream name or Kafka topic
    lake_path: str
    checkpoint_path: str
    registry_url: str
    reader_schema: str  # "registry" (latest of the subject, followed while the job runs) or an .avsc path
    subject: str
    # How often the job looks for a new latest version besides when a batch holds an unseen writer id;
    # None: only then.
    schema_refresh_seconds: float | None = DEFAULT_REFRESH_SECONDS
    kinesis_endpoint: str | None = None
    region: str = "us-east-1"
    kafka_brokers: str | None = None
    kafka_auth: str = "none"
    kafka_username: str | None = None
    kafka_password: str | None = None
    # A PEM file of CA certificates for the Kafka TLS connection; unset, the JVM's trust store (MSK's default).
    kafka_ca_file: str | None = None
    # Spark's Kafka source names its consumer groups `<prefix>-<query uuid>-…`; MSK IAM policies grant
    # group permissions by name, so the prefix must be the one the policy allows.
    kafka_group_id_prefix: str = "streamsoft-bronze"
    trigger_seconds: int = 5
    starting_position: str = "earliest"
    available_now: bool = False
    # Kafka's `maxOffsetsPerTrigger` (all partitions together); None: no cap. Kinesis caps per shard, in
    # `kinesis_reader`.
    max_offsets_per_trigger: int | None = None
    # Which Kinesis reader the query uses and its per-shard limits (`--kinesis-reader`, kinesis_readers.py).
    kinesis_reader: KinesisReaderConfig = KinesisReaderConfig()
    # Per-batch CloudWatch metrics (bronze_metrics.py) are published only when a namespace is given.
    cloudwatch_namespace: str | None = None
    cloudwatch_endpoint: str | None = None
    # The streaming query's name (and the Delta txnAppId's prefix, see BronzeSink.bind_query); job_name
    # when not given. The job names it `<job>-<source>`, which is what the one-job-per-source layout named
    # its job, so a table's idempotence ids do not change when that layout's jobs become this one.
    query_name: str | None = None

    @property
    def name(self) -> str:
        return self.query_name or self.job_name

    @staticmethod
    def from_args(args: JobArgs) -> "BronzeConfig":
        """The configuration of a job with exactly one source (`--source kinesis|kafka|msk`)."""
        job = BronzeJobConfig.from_args(args)
        if len(job.sources) != 1:
            raise JobArgumentError(f"--source: expected one source (got {len(job.sources)})")
        return job.sources[0]

    @staticmethod
    def for_source(args: JobArgs, source: str, checkpoint_path: str) -> "BronzeConfig":
        stream = args.get("topic") if source == "kafka" else args.get("stream-name")
        stream = stream or args.get("stream-name") or args.get("topic") or DEFAULT_STREAM
        kafka_brokers = args.get("kafka-brokers")
        if source == "kafka" and not kafka_brokers:
            raise JobArgumentError("--kafka-brokers: required when --source includes kafka (msk)")
        trigger_seconds = args.get_int("trigger-seconds", 5)
        if trigger_seconds < 0:
            raise JobArgumentError(f"--trigger-seconds: must be 0 or more (got {trigger_seconds})")
        # Parsed for every source, so a bad value fails the job whichever sources it reads.
        kinesis_reader = KinesisReaderConfig.from_args(args)
        max_offsets = args.get_int("max-records-per-trigger", 0) or None  # from_args refused 0 and below
        endpoint = args.get("kinesis-endpoint")
        cloudwatch_endpoint = args.get("cloudwatch-endpoint")
        job_name = args.get("JOB_NAME") or "streamsoft-bronze"
        refresh = args.get_int("schema-refresh-seconds", int(DEFAULT_REFRESH_SECONDS))
        if refresh < 0:
            raise JobArgumentError(f"--schema-refresh-seconds: must be 0 (only on a new writer id) or more (got {refresh})")
        return BronzeConfig(
            job_name=job_name,
            query_name=f"{job_name}-{source}",
            source=source,
            stream=stream,
            lake_path=args.require("lake-path"),
            checkpoint_path=checkpoint_path,
            registry_url=args.require("registry-url"),
            reader_schema=args.get("reader-schema") or "registry",
            subject=args.get("subject") or f"{stream}-value",
            schema_refresh_seconds=float(refresh) if refresh > 0 else None,
            kinesis_endpoint=None if endpoint in (None, "", "aws") else endpoint,
            region=args.get("region") or "us-east-1",
            kafka_brokers=kafka_brokers,
            kafka_auth=args.get_choice("kafka-auth", KAFKA_AUTH_MODES, "none"),
            kafka_username=args.get("kafka-username"),
            kafka_password=args.get("kafka-password"),
            kafka_ca_file=args.get("kafka-ca-file") or None,
            kafka_group_id_prefix=args.get("kafka-group-id-prefix") or "streamsoft-bronze",
            trigger_seconds=trigger_seconds,
            starting_position=args.get("starting-position") or "earliest",
            available_now=args.get_bool("available-now"),
            max_offsets_per_trigger=max_offsets,
            kinesis_reader=kinesis_reader,
            cloudwatch_namespace=args.get("cloudwatch-namespace") or None,
            cloudwatch_endpoint=None if cloudwatch_endpoint in (None, "", "aws") else cloudwatch_endpoint,
        )


def parse_sources(value: str | None) -> tuple[str, ...]:
    """`--source kinesis|kafka|msk[,…]` → the distinct sources, `msk` read as `kafka`; default kinesis."""
    names = [part.strip() for part in (value or "kinesis").split(",") if part.strip()]
    if not names:
        raise JobArgumentError("--source: expected kinesis, kafka or msk, or several separated by commas")
    sources: list[str] = []
    for name in names:
        if name not in (*SOURCES, "msk"):
            raise JobArgumentError(f"--source: expected kinesis, kafka or msk (got {name!r})")
        source = "kafka" if name == "msk" else name
        if source in sources:
            raise JobArgumentError(f"--source: {name!r} is named twice")
        sources.append(source)
    return tuple(sources)


@dataclass(frozen=True)
class BronzeJobConfig:
    """The whole bronze job: one query per source, and how often the job compacts the bronze tables.

    Each source has its own checkpoint (`--kinesis-checkpoint-path`, `--kafka-checkpoint-path`; with one
    source, `--checkpoint-path` will do), so adding or removing a source never replays another one.
    """

    job_name: str
    lake_path: str
    sources: tuple[BronzeConfig, ...]
    # OPTIMIZE (past days) + VACUUM of the bronze tables, by this driver, this often; None: never.
    compact_every_seconds: float | None = DEFAULT_COMPACT_EVERY_MINUTES * 60.0
    compact_tables: tuple[str, ...] = DEFAULT_TABLES

    @staticmethod
    def from_args(args: JobArgs) -> "BronzeJobConfig":
        sources = parse_sources(args.get("source"))
        checkpoints = {}
        for source in sources:
            own = args.get(f"{source}-checkpoint-path")
            shared = args.get("checkpoint-path") if len(sources) == 1 else None
            if not own and not shared:
                name = f"{source}-checkpoint-path" if len(sources) > 1 else "checkpoint-path"
                raise JobArgumentError(f"--{name}: required argument is missing (each source keeps its own checkpoint)")
            checkpoints[source] = own or shared
        if len(set(checkpoints.values())) != len(checkpoints):
            raise JobArgumentError("--kinesis-checkpoint-path, --kafka-checkpoint-path: each source needs its own checkpoint")
        every = args.get_int("compact-every-minutes", DEFAULT_COMPACT_EVERY_MINUTES)
        if every < 0:
            raise JobArgumentError(f"--compact-every-minutes: must be 0 (never) or more (got {every})")
        configs = tuple(BronzeConfig.for_source(args, source, str(checkpoints[source])) for source in sources)
        return BronzeJobConfig(
            job_name=configs[0].job_name,
            lake_path=configs[0].lake_path,
            sources=configs,
            compact_every_seconds=every * 60.0 if every > 0 else None,
        )


@dataclass
class CompactionSchedule:
    """When the job compacts the bronze tables next: at its start, then every `every_seconds`."""

    every_seconds: float | None
    clock: Callable[[], float] = time.monotonic
    _next: float | None = field(default=None, init=False)

    def due(self) -> bool:
        if self.every_seconds is None:
            return False
        return self._next is None or self.clock() >= self._next

    def ran(self) -> None:
        """Marks a compaction as finished: the next is due `every_seconds` after its end."""
        if self.every_seconds is not None:
            self._next = self.clock() + self.every_seconds


def load_reader_schema(config: BronzeConfig) -> ReaderSchema:
    """The reader schema records are decoded into at start: a local .avsc file, or the subject's latest
    version (which the sink then follows, see BronzeSink)."""
    if config.reader_schema == "registry":
        schema_id, schema = registry_client(config.registry_url).latest_schema(config.subject)
        log.info("reader schema: latest version of %s (id %d)", config.subject, schema_id)
        return ReaderSchema(schema, schema_id)
    log.info("reader schema: %s", config.reader_schema)
    return ReaderSchema(json.loads(Path(config.reader_schema).read_text(encoding="utf-8")))


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


def bronze_sink(spark: SparkSession, config: BronzeConfig) -> BronzeSink:
    """Creates the bronze tables if needed; the sink of one start of a source's query."""
    reader = load_reader_schema(config)
    ensure_bronze_tables(spark, config.lake_path, reader)
    return BronzeSink(
        lake_path=config.lake_path,
        reader_schema=reader,
        registry_url=config.registry_url,
        subject=config.subject if config.reader_schema == "registry" else None,
        refresh_seconds=config.schema_refresh_seconds,
    )


def start_bronze(spark: SparkSession, config: BronzeConfig, sink: BronzeSink | None = None) -> StreamingQuery:
    """Starts the query (available-now or every N seconds) into `sink` (default: a new `bronze_sink`)."""
    sink = sink or bronze_sink(spark, config)
    writer = (
        source_frames(spark, config)
        .writeStream.queryName(config.name)
        .option("checkpointLocation", config.checkpoint_path)
        .foreachBatch(sink)
    )
    if config.available_now and config.source == "kafka":
        writer = writer.trigger(availableNow=True)
    elif config.available_now:
        # Python data sources do not support Trigger.AvailableNow (Spark falls back to one batch, which
        # is neither complete past the per-batch cap nor safe after a crash): run batches back to back
        # and let `run_bronze` stop the query once a batch finds no new data. The `aws-kinesis` reader is
        # drained the same way: one path for both Kinesis readers.
        writer = writer.trigger(processingTime="0 seconds")
    else:
        writer = writer.trigger(processingTime=f"{config.trigger_seconds} seconds")
    query = writer.start()
    sink.bind_query(config.name, str(query.id))
    log.info(
        "bronze query %s started: %s %s -> %s (checkpoint %s)",
        query.id,
        config.source,
        config.stream,
        config.lake_path,
        config.checkpoint_path,
    )
    return query


def run_bronze(spark: SparkSession, config: BronzeConfig, stop_requested: threading.Event | None = None) -> None:
    """Runs one source's query, without compaction, until it is done or asked to stop (see run_bronze_job)."""
    job = BronzeJobConfig(config.job_name, config.lake_path, (config,), compact_every_seconds=None)
    run_bronze_job(spark, job, stop_requested)


def run_bronze_job(
    spark: SparkSession,
    job: BronzeJobConfig,
    stop_requested: threading.Event | None = None,
    schedule: CompactionSchedule | None = None,
) -> list[list[TableCompaction]]:
    """Runs every source's query until all are done or the job is asked to stop; raises the first error.

    Done means: with --available-now, everything in each stream when checked is in bronze (Kafka: the
    offsets at start, via Trigger.AvailableNow; Kinesis: until a check finds no new record, via
    processAllAvailable); otherwise never, until `stop_requested` is set (a signal). Between its polls of
    the queries the driver compacts the bronze tables when `schedule` says so; the compactions' results
    are returned. A failed query stops the others: the job fails as a whole, and Glue restarts it whole.
    """
    stop_requested = stop_requested or threading.Event()
    schedule = schedule or CompactionSchedule(job.compact_every_seconds)
    runners = [_SourceRunner(spark, config, stop_requested) for config in job.sources]
    compactions: list[list[TableCompaction]] = []
    failed = True
    try:
        for runner in runners:
            runner.start()
        while any(runner.active for runner in runners):
            if stop_requested.is_set():
                log.info("stopping the bronze queries (asked to stop)")
                break
            for runner in runners:
                runner.poll()
            if schedule.due() and not stop_requested.is_set():
                compactions.append(compact_bronze(spark, job))
                schedule.ran()
            # Poll instead of blocking in awaitTermination, so a signal handler only has to set an Event.
            stop_requested.wait(0.5)
        failed = False
    finally:
        for runner in runners:
            runner.stop()
        for runner in runners:
            runner.finish(wait_for_metrics=not failed)
    return compactions


def compact_bronze(spark: SparkSession, job: BronzeJobConfig) -> list[TableCompaction]:
    """OPTIMIZE (days before today) and VACUUM the bronze tables, from this driver, next to its appends.

    Appends never conflict with OPTIMIZE's dataChange=false rewrite, and VACUUM commits no data
    (compaction.py); a failure is logged and the next compaction tries again: the stream goes on.
    """
    try:
        results = run_compaction(spark, job.lake_path, job.compact_tables)
    except Exception as error:
        log.warning("bronze compaction failed, the stream goes on: %s", str(error).splitlines()[0] if str(error) else repr(error))
        return []
    log.info("bronze compaction: %s", ", ".join(f"{r.table} {r.files_before}->{r.files_after} files" for r in results))
    return results


# Query failures after which starting the query again from its checkpoint is safe and expected to work.
# Every batch's writes are idempotent (Delta txnAppId/txnVersion), so a restart never duplicates a row;
# anything else that fails the query is raised.
# - Spark 4.1.1's Kafka source fails progress reporting (NullPointerException in KafkaMicroBatchStream
#   .metrics, SPARK-55271) right after it replays an uncommitted batch on restart, i.e. after every crash.
# - Spark waits a fixed 10 s for a new Python worker (our Kinesis source's planner, started with the query)
#   to connect back (PythonWorkerFactory); on an overloaded machine the worker's imports take longer.
_KAFKA_REPLAY_METRICS_BUG = 'the return value of "scala.Option.get()" is null'
_PYTHON_WORKER_SLOW_START = "Python worker failed to connect back"
_MAX_RESTARTS = 3


def restart_reason(source: str, error: str) -> str | None:
    """Why a query that failed with `error` may be started again from its checkpoint, or None."""
    if source == "kafka" and _KAFKA_REPLAY_METRICS_BUG in error:
        return "Kafka source progress bug after a replayed batch (SPARK-55271)"
    if _PYTHON_WORKER_SLOW_START in error:
        return "a Python worker started too slowly for Spark's 10 s wait (machine overloaded)"
    return None


class _SourceRunner:
    """One source's query in the job's driver: started, polled, restarted after a failure restart_reason knows."""

    def __init__(self, spark: SparkSession, config: BronzeConfig, stop_requested: threading.Event) -> None:
        self.spark = spark
        self.config = config
        self.stop_requested = stop_requested
        self.listener = metrics_listener(config)
        self.query: StreamingQuery | None = None
        self.sink: BronzeSink | None = None
        self.restarts = 0
        self.done = False
        self._drained = threading.Event()

    @property
    def active(self) -> bool:
        return not self.done

    def start(self) -> None:
        if self.listener is not None and self.query is None:
            self.spark.streams.addListener(self.listener)
        self._drained = threading.Event()
        self.sink = bronze_sink(self.spark, self.config)
        self.query = query = start_bronze(self.spark, self.config, self.sink)
        if self.config.available_now and self.config.source == "kinesis":
            drained = self._drained

            def drain() -> None:
                try:
                    query.processAllAvailable()
                except Exception:  # the query failed; poll() raises its exception
                    log.debug("processAllAvailable ended with the query's failure")
                drained.set()

            threading.Thread(target=drain, name=f"bronze-drain-{self.config.source}", daemon=True).start()

    def poll(self) -> None:
        """Raises the query's error (after restarting it when restart_reason allows); marks it done."""
        query = self.query
        if self.done or query is None:
            return
        if self._drained.is_set() and query.isActive:
            log.info("stopping the bronze query %s (drained)", query.id)
            query.stop()
        if query.isActive:
            return
        error = query.exception()
        if error is None:
            self.done = True
            return
        if self.sink is not None and self.sink.stopped_by is not None:
            # a schema change bronze.trades cannot take: its own one-line message, not Spark's wrapper
            self.done = True
            raise self.sink.stopped_by from error
        reason = restart_reason(self.config.source, str(error))
        if reason is None or self.restarts == _MAX_RESTARTS or self.stop_requested.is_set():
            self.done = True
            raise error
        self.restarts += 1
        log.warning("%s; restarting the %s query from its checkpoint (%d of %d)", reason, self.config.source, self.restarts, _MAX_RESTARTS)
        self.start()

    def stop(self) -> None:
        if self.query is not None and self.query.isActive:
            self.query.stop()
        self.done = True

    def finish(self, wait_for_metrics: bool) -> None:
        """After the query stopped: waits for its last batch's metrics to be published, removes the listener."""
        if self.listener is None:
            return
        try:
            if wait_for_metrics and self.query is not None:
                _wait_for_last_progress(self.listener, self.query)
        finally:
            self.spark.streams.removeListener(self.listener)


def metrics_listener(config: BronzeConfig) -> BronzeMetricsListener | None:
    """The listener publishing per-batch metrics to `--cloudwatch-namespace`, or None when none is given."""
    if not config.cloudwatch_namespace:
        return None
    publisher = CloudWatchPublisher(
        config.cloudwatch_namespace, cloudwatch_client(config.region, config.cloudwatch_endpoint)
    )
    log.info("publishing batch metrics to CloudWatch namespace %s", config.cloudwatch_namespace)
    return BronzeMetricsListener(config.job_name, config.source, publisher.publish, query_name=config.name)


def _wait_for_last_progress(listener: BronzeMetricsListener, query: StreamingQuery) -> None:
    last = query.lastProgress
    if last is not None and not listener.wait_until_handled(str(last["runId"]), int(last["batchId"]), 10.0):
        log.warning("bronze metrics: the last batch's progress event was not handled in time; its metrics are lost")
