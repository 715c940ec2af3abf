"""One source's streaming query in the bronze job's driver: its reader schema and sink, its start (with
the trigger), its per-batch metrics listener, and the runner that polls it, drains it (available-now),
and restarts it from its checkpoint after the failures `restart_reason` knows.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from .bronze_config import BronzeConfig
from .bronze_metrics import BronzeMetricsListener, CloudWatchPublisher, cloudwatch_client
from .bronze_sink import BronzeSink, ensure_bronze_tables
from .bronze_sources import source_frames
from .reader_schemas import ReaderSchema
from .registry import registry_client

log = logging.getLogger(__name__)


def load_reader_schema(config: BronzeConfig) -> ReaderSchema:
    """The reader schema records are decoded into at start: a local .avsc file, or the subject's latest
    version (which the sink then follows, see BronzeSink)."""
    if config.reader_schema == "registry":
        schema_id, schema = registry_client(config.registry_url).latest_schema(config.subject)
        log.info("reader schema: latest version of %s (id %d)", config.subject, schema_id)
        return ReaderSchema(schema, schema_id)
    log.info("reader schema: %s", config.reader_schema)
    return ReaderSchema(json.loads(Path(config.reader_schema).read_text(encoding="utf-8")))


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
        # and let `SourceRunner.poll` stop the query once a batch finds no new data. The `aws-kinesis` reader is
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


class SourceRunner:
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
