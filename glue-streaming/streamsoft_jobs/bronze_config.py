"""The bronze job's configuration from its job arguments: which sources it reads (one query each, with its
own checkpoint), each query's source, registry, reader schema, trigger and limits, and how often the job
compacts the bronze tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from .args import JobArgs, JobArgumentError
from .compaction import DEFAULT_TABLES
from .kinesis_readers import KinesisReaderConfig
from .reader_schemas import DEFAULT_REFRESH_SECONDS

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
