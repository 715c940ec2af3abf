"""The bronze sink: `BronzeSink`, the `foreachBatch` handler that decodes a micro-batch (bronze_transforms.py)
and appends it to both bronze tables exactly once, following the registry's reader schema; and the tables'
creation. The streaming wiring (which source, which trigger) lives in bronze_sources.py and bronze_query.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Any, Mapping

from delta.tables import DeltaTable
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .bronze_tables import (
    BRONZE_LAYER,
    BRONZE_TABLE_PROPERTIES,
    QUARANTINE_SCHEMA,
    QUARANTINE_TABLE,
    TRADES_TABLE,
    bronze_trades_schema,
)
from .bronze_transforms import bronze_trades, decode_frames, quarantined
from .lake import SchemaEvolutionError, add_columns, append_idempotent, ensure_table, table_path
from .reader_schemas import DEFAULT_REFRESH_SECONDS, ReaderSchema, ReaderSchemaFollower
from .registry import registry_client

log = logging.getLogger(__name__)


def ensure_bronze_tables(
    spark: SparkSession, lake_path: str, reader_schema: ReaderSchema | Mapping[str, Any]
) -> tuple[str, str]:
    """Creates `bronze.trades` (in the reader schema's shape) and `bronze.trades_quarantine` if missing;
    returns their paths. An existing `bronze.trades` gains its columns at the sink's first batch."""
    trades = table_path(lake_path, BRONZE_LAYER, TRADES_TABLE)
    quarantine = table_path(lake_path, BRONZE_LAYER, QUARANTINE_TABLE)
    ensure_table(spark, trades, bronze_trades_schema(reader_schema), partition_by=["event_date"], properties=BRONZE_TABLE_PROPERTIES)
    ensure_table(spark, quarantine, QUARANTINE_SCHEMA, properties=BRONZE_TABLE_PROPERTIES)
    return trades, quarantine


class _SchemaChangeLock:
    """Many appends at once, or one column change alone: one driver's sinks (one per source) append to
    the same table, and Delta fails an append that commits across a concurrent metadata change."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._appending = 0
        self._changing = False

    def append(self) -> "_Held":
        with self._changed:
            self._changed.wait_for(lambda: not self._changing)
            self._appending += 1
        return _Held(self._end_append)

    def change(self) -> "_Held":
        with self._changed:
            self._changed.wait_for(lambda: not self._changing and self._appending == 0)
            self._changing = True
        return _Held(self._end_change)

    def _end_append(self) -> None:
        with self._changed:
            self._appending -= 1
            self._changed.notify_all()

    def _end_change(self) -> None:
        with self._changed:
            self._changing = False
            self._changed.notify_all()


class _Held:
    def __init__(self, release: Any) -> None:
        self._release = release

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: Any) -> None:
        self._release()


_schema_locks: dict[str, _SchemaChangeLock] = {}
_schema_locks_guard = threading.Lock()


def _schema_lock(path: str) -> _SchemaChangeLock:
    with _schema_locks_guard:
        return _schema_locks.setdefault(path, _SchemaChangeLock())


# How far back a restarted sink looks in bronze.trades' history for the commit of the batch it replays.
# Only the commits since the crash (the other source's batches, one compaction) lie in between.
_HISTORY_LOOKBACK = 500


class BronzeSink:
    """The `foreachBatch` handler: decode, then append to both tables idempotently under (app_id, batch_id).

    Delta stores the last `txnVersion` per `txnAppId` atomically with the data, so when Spark replays a
    batch after a crash (its offsets were logged but the commit was not), the tables that already hold it
    skip it and the others get it: each source record lands exactly once.

    With a `subject`, the reader schema follows the registry (reader_schemas.py): a batch holding a writer
    id not seen before, or the refresh interval passing, makes the sink read the subject's latest version,
    and a version that can read the current one becomes the reader schema for this batch on. Its new
    columns are added to `bronze.trades` before the batch is written (additive only; anything else stops
    the query, naming the field, before a row is written). Each `bronze.trades` commit records the reader
    schema id it was decoded with (commitInfo.userMetadata), so a batch replayed after a crash decodes
    with the same reader schema and puts the same rows in quarantine.
    """

    def __init__(
        self,
        lake_path: str,
        reader_schema: ReaderSchema | Mapping[str, Any],
        registry_url: str | None,
        static_schemas: Mapping[int, Mapping[str, Any]] | None = None,
        app_id: str | None = None,
        subject: str | None = None,
        refresh_seconds: float | None = DEFAULT_REFRESH_SECONDS,
    ) -> None:
        self.trades_path = table_path(lake_path, BRONZE_LAYER, TRADES_TABLE)
        self.quarantine_path = table_path(lake_path, BRONZE_LAYER, QUARANTINE_TABLE)
        reader = reader_schema if isinstance(reader_schema, ReaderSchema) else ReaderSchema(reader_schema)
        self.registry_url = registry_url
        self.static_schemas = dict(static_schemas or {})
        self.follower = (
            ReaderSchemaFollower(reader, registry_url, subject, refresh_seconds) if subject and registry_url else None
        )
        self._fixed_reader = reader
        self._table_reader: ReaderSchema | None = None  # the reader whose columns bronze.trades is known to have
        # The schema change that stopped the query, for the job to report in one line (Spark wraps it).
        self.stopped_by: SchemaEvolutionError | None = None
        self._started = False
        self._app_id = app_id
        self._bound = threading.Event()
        if app_id is not None:
            self._bound.set()

    @property
    def reader(self) -> ReaderSchema:
        """The reader schema the next batch decodes into."""
        return self.follower.current if self.follower else self._fixed_reader

    def bind_query(self, job_name: str, query_id: str) -> None:
        """Sets the Delta `txnAppId` from the streaming query id, which lives in the checkpoint: stable across
        restarts, and new when the checkpoint is reset (when batch ids start again from 0)."""
        self._app_id = f"{job_name}:{query_id}"
        self._bound.set()

    @property
    def app_id(self) -> str:
        # The first batch can start before `start()` has returned the query id to the caller.
        self._bound.wait()
        assert self._app_id is not None
        return self._app_id

    def _recorded_readers(self, spark: SparkSession, app_id: str, batch_id: int) -> tuple[int | None, int | None]:
        """(reader schema id recorded for this batch, the last one recorded by any batch) in bronze.trades."""
        history = DeltaTable.forPath(spark, self.trades_path).history(_HISTORY_LOOKBACK)
        this_batch: int | None = None
        last: int | None = None
        for row in history.where(F.col("userMetadata").isNotNull()).orderBy(F.col("version").desc()).collect():
            try:
                record = json.loads(row["userMetadata"])
            except ValueError:
                continue
            reader_id = record.get("readerSchemaId") if isinstance(record, dict) else None
            if not isinstance(reader_id, int):
                continue
            last = reader_id if last is None else last
            if record.get("txnAppId") == app_id and record.get("txnVersion") == batch_id:
                this_batch = reader_id
                break
        return this_batch, last

    def _schema(self, schema_id: int) -> ReaderSchema:
        schema = self.static_schemas.get(schema_id)
        if schema is None and self.registry_url:
            schema = registry_client(self.registry_url).schema_by_id(schema_id)
        if schema is None:
            raise RuntimeError(f"bronze.trades records reader schema id {schema_id}, which the registry does not know")
        return ReaderSchema(schema, schema_id)

    def _reader_for(self, spark: SparkSession, app_id: str, batch_id: int) -> ReaderSchema | None:
        """At the first batch after a (re)start: the reader schema this batch was already written with, if
        it was (a replay); and the follower resumes from the last one the lake was written with."""
        if self.follower is None or self._started:
            return None
        self._started = True
        replayed, last = self._recorded_readers(spark, app_id, batch_id)
        if last is not None and last != self.follower.current.schema_id:
            self.follower.adopt(self._schema(last))
            self.follower.refresh()
        return self._schema(replayed) if replayed is not None else None

    def _decode(self, frames: DataFrame, reader: ReaderSchema, ingested_at: dt.datetime) -> tuple[DataFrame, Any]:
        decoded = decode_frames(frames, reader, self.registry_url, self.static_schemas)
        decoded = decoded.persist(StorageLevel.MEMORY_AND_DISK)
        stats = decoded.agg(
            F.count(F.lit(1)).alias("rows_in"),
            F.count(F.col("reason")).alias("quarantined"),
            # ingest time minus event time, of the oldest trade in the batch
            F.max(F.lit(ingested_at.timestamp()) - F.col("timestamp").cast("double")).alias("max_lag_s"),
            # the writer schema ids: one small set per batch, so following the registry costs nothing per record
            F.collect_set(F.col("_schema_id")).alias("schema_ids"),
        ).first()
        return decoded, stats

    def _ensure_columns(self, spark: SparkSession, reader: ReaderSchema) -> None:
        if self._table_reader == reader:
            return
        with _schema_lock(self.trades_path).change():
            try:
                added = add_columns(spark, self.trades_path, bronze_trades_schema(reader), table="bronze.trades")
            except SchemaEvolutionError as error:
                self.stopped_by = error
                raise
        if added:
            log.info("bronze.trades: added columns %s for %s", ", ".join(added), reader.describe())
        self._table_reader = reader

    def __call__(self, frames: DataFrame, batch_id: int) -> None:
        app_id = self.app_id
        spark = frames.sparkSession
        ingested_at = dt.datetime.now(dt.timezone.utc)
        pinned = self._reader_for(spark, app_id, batch_id)
        if pinned is None and self.follower is not None and self.follower.due():
            self.follower.refresh()
        reader = pinned or self.reader
        decoded, stats = self._decode(frames, reader, ingested_at)
        try:
            rows_in = int(stats["rows_in"]) if stats else 0
            if rows_in == 0:
                log.info("batch %d: rows_in=0 written=0 quarantined=0", batch_id)
                return
            ids = [int(i) for i in stats["schema_ids"]]
            if pinned is None and self.follower is not None and self.follower.saw(ids) and self.follower.refresh():
                # a new version became the reader schema: this batch, not yet written, decodes into it
                decoded.unpersist()
                reader = self.follower.current
                decoded, stats = self._decode(frames, reader, ingested_at)
            bad = int(stats["quarantined"])
            self._ensure_columns(spark, reader)
            record = {"txnAppId": app_id, "txnVersion": batch_id, "readerSchemaId": reader.schema_id}
            with _schema_lock(self.trades_path).append():
                append_idempotent(
                    bronze_trades(decoded, ingested_at, reader),
                    self.trades_path,
                    app_id,
                    batch_id,
                    partition_by=["event_date"],
                    user_metadata=json.dumps(record, sort_keys=True),
                )
            if bad:
                append_idempotent(
                    quarantined(decoded, ingested_at), self.quarantine_path, app_id, batch_id
                )
            lag_s = stats["max_lag_s"]
            log.info(
                "batch %d: rows_in=%d written=%d quarantined=%d max_event_lag_s=%s reader=%s",
                batch_id,
                rows_in,
                rows_in - bad,
                bad,
                "n/a" if lag_s is None else f"{lag_s:.3f}",
                reader.describe(),
            )
        finally:
            decoded.unpersist()
