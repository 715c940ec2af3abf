"""A Kinesis Data Streams source for Structured Streaming, as a Spark 4 Python data source over boto3.

The driver plans each micro-batch and reads no record: it lists the shards, decides which ones a batch
reads (a child only once its parents are drained) and where each starts. Executors read the shards in
parallel, one input partition per shard, and each records where its read ended, once, in a write-once
file under `metadataPath` (a folder of the query's checkpoint). A replayed batch reads exactly to the
recorded ends, so it yields the same records. BRONZE.md "Kinesis offsets" explains why no record can be
missed or read twice.

It emits the columns of AWS's `aws-kinesis` connector (`data`, `streamName`, `partitionKey`,
`sequenceNumber`, `approximateArrivalTimestamp`) plus `shardId`.

This module is the data source and its planning; an executor's read of one shard is in
`kinesis_shard_reader.py`, the recorded ends in `kinesis_ends.py`, the boto3 client and throttling backoff
in `kinesis_api.py`, starting positions in `kinesis_positions.py`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.types import BinaryType, StringType, StructField, StructType, TimestampType

from .kinesis_api import Backoff, kinesis_client
from .kinesis_ends import ShardEndStore, shard_end_store
from .kinesis_positions import Position, parse_starting_position
from .kinesis_shard_reader import KinesisShardReader

log = logging.getLogger(__name__)

SOURCE_NAME = "streamsoft-kinesis"

KINESIS_SCHEMA = StructType(
    [
        StructField("data", BinaryType()),
        StructField("streamName", StringType()),
        StructField("partitionKey", StringType()),
        StructField("sequenceNumber", StringType()),
        StructField("approximateArrivalTimestamp", TimestampType()),
        StructField("shardId", StringType()),
    ]
)

# {"run": id, "plan": k, "shards": {shardId: position entry}} (KinesisStreamReader)
Offset = dict[str, Any]


@dataclass(frozen=True)
class ListedShard:
    parents: list[str]
    closed: bool


@dataclass(frozen=True)
class ShardPartition(InputPartition):
    """One shard's share of one micro-batch: where it starts; its end is recorded under (run, plan, shard)."""

    run: str
    plan: int
    shard_id: str
    start: Position
    closing: bool = False


def _shard_entry(position: Position, parents: Sequence[str]) -> Position:
    return {**position, "parents": sorted(parents)} if parents else dict(position)


def _position(entry: Position) -> Position:
    return {k: v for k, v in entry.items() if k != "parents"}


class KinesisStreamReader(DataSourceStreamReader):
    """Offsets are `{"run": id, "plan": k, "shards": {shardId: position}}`: plan k reads each shard from
    its position (`{"after": seq}`, `{"at_ms": ms}` or `{"from": "TRIM_HORIZON"}`; `"closed": true` once
    drained; `"parents"` after a split or merge) to the end its executor recorded for (run, k, shard)."""

    def __init__(self, options: Mapping[str, str]) -> None:
        lowered = {key.lower(): value for key, value in options.items()}
        stream = lowered.get("streamname")
        if not stream:
            raise ValueError("streamName option is required")
        metadata = lowered.get("metadatapath")
        if not metadata:
            raise ValueError("metadataPath option is required (a folder next to the query's checkpoint)")
        self.stream_name = stream
        self.metadata_path = metadata
        self.endpoint_url = lowered.get("endpointurl") or None
        self.region = lowered.get("region") or "us-east-1"
        self.starting_position = lowered.get("startingposition", "TRIM_HORIZON")
        self.max_records_per_shard = _positive_int(lowered, "maxrecordspershard", 50000)
        self.max_bytes_per_shard = _positive_int(lowered, "maxbytespershard", 64 * 1024 * 1024)
        self.probe_threads = _positive_int(lowered, "probethreads", 16)
        self._client: Any = None
        self._ends: dict[str, ShardEndStore] = {}
        self._current: Offset | None = None

    def __getstate__(self) -> dict[str, Any]:
        # executors get a copy of this reader: without the driver's client and planning state
        return {**self.__dict__, "_client": None, "_ends": {}, "_current": None}

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = kinesis_client(self.endpoint_url, self.region)
        return self._client

    def shard_reader(self) -> KinesisShardReader:
        return KinesisShardReader(self.client, self.stream_name, self.max_records_per_shard, self.max_bytes_per_shard)

    def ends(self, run: str) -> ShardEndStore:
        if run not in self._ends:
            self._ends[run] = shard_end_store(self.metadata_path, run, self.region)
        return self._ends[run]

    def list_shards(self) -> dict[str, ListedShard]:
        """Every shard ListShards returns: its parents, and whether it is closed (has an ending sequence number)."""
        shards: dict[str, ListedShard] = {}
        backoff = Backoff()
        response = backoff.call(self.client, lambda: self.client.list_shards(StreamName=self.stream_name))
        while True:
            for shard in response.get("Shards", []):
                parents = [p for p in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId")) if p]
                closed = "EndingSequenceNumber" in shard.get("SequenceNumberRange", {})
                shards[shard["ShardId"]] = ListedShard(parents, closed)
            token = response.get("NextToken")
            if not token:
                return shards
            response = backoff.call(self.client, functools.partial(self.client.list_shards, NextToken=token))

    # -- driver ---------------------------------------------------------------------------------------

    def initialOffset(self) -> Offset:
        now_ms = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
        start = parse_starting_position(self.starting_position, now_ms)
        shards = {shard: _shard_entry(start, listed.parents) for shard, listed in sorted(self.list_shards().items())}
        return {"run": uuid.uuid4().hex, "plan": -1, "shards": shards}

    @staticmethod
    def scheduled(offset: Offset) -> list[str]:
        """The shards a plan reads: open ones whose parents are drained (or gone from the stream)."""
        shards: dict[str, Position] = offset["shards"]
        return sorted(
            shard
            for shard, entry in shards.items()
            if not entry.get("closed")
            and all(shards.get(parent, {"closed": True}).get("closed") for parent in entry.get("parents", []))
        )

    def resolved(self, offset: Offset) -> tuple[dict[str, Position], bool]:
        """Where each shard stands after `offset`'s plan ran, and whether some shard stopped at a cap."""
        shards = {shard: dict(entry) for shard, entry in offset["shards"].items()}
        if offset["plan"] < 0:
            return shards, False
        ends = self.ends(offset["run"])
        more = False
        scheduled = self.scheduled(offset)
        # one small read per shard, in parallel: on S3 each is a GET of ~20 ms
        with ThreadPoolExecutor(max_workers=max(1, min(self.probe_threads, len(scheduled)))) as pool:
            recorded_ends = list(pool.map(lambda shard: ends.get(offset["plan"], shard), scheduled))
        for shard, recorded in zip(scheduled, recorded_ends, strict=True):
            if recorded is None:
                # Its executor records the end before it hands over any record: none was read, so the shard
                # starts where it did (a sink that read only some partitions, or a lost metadata folder).
                log.warning("plan %d: no recorded end for shard %s; it is read again from its start", offset["plan"], shard)
                more = True
                continue
            shards[shard] = _shard_entry(recorded["end"], shards[shard].get("parents", []))
            more = more or not recorded["caught_up"]
        return shards, more

    def latestOffset(self) -> Offset:
        current = self._current if self._current is not None else self.initialOffset()
        self._current = current
        shards, more = self.resolved(current)
        listed = self.list_shards()
        for shard, info in listed.items():
            if shard not in shards:
                shards[shard] = _shard_entry({"from": "TRIM_HORIZON"}, info.parents)
        # shards gone from the stream (past retention) that were drained are forgotten
        shards = {s: e for s, e in shards.items() if s in listed or not e.get("closed")}
        candidate = {"run": current["run"], "plan": current["plan"] + 1, "shards": dict(sorted(shards.items()))}
        # A shard Kinesis has closed (split or merge) but we have not seen end: read it until its iterator
        # ends, so its children can start. Without this a drained parent would look idle for ever.
        closing = any(listed[s].closed for s in self.scheduled(candidate) if s in listed)
        if current["plan"] < 0 or more or closing or self._shards_changed(current, candidate) or self._any_new(candidate):
            return candidate
        return current  # nothing to read: the same offset, so Spark plans no batch

    @staticmethod
    def _shards_changed(current: Offset, candidate: Offset) -> bool:
        before = {s: bool(e.get("closed")) for s, e in current["shards"].items()}
        after = {s: bool(e.get("closed")) for s, e in candidate["shards"].items()}
        return before != after

    def _any_new(self, offset: Offset) -> bool:
        shards = self.scheduled(offset)
        if not shards:
            return False
        reader = self.shard_reader()
        with ThreadPoolExecutor(max_workers=min(self.probe_threads, len(shards))) as pool:
            found = pool.map(lambda s: reader.has_records_after(s, _position(offset["shards"][s])), shards)
            return any(found)

    def partitions(self, start: Offset, end: Offset) -> Sequence[InputPartition]:
        self._current = end
        if end["plan"] < 0 or start == end:
            return []
        scheduled = self.scheduled(end)
        listed = self.list_shards() if scheduled else {}
        return [
            ShardPartition(end["run"], end["plan"], shard, _position(end["shards"][shard]), shard in listed and listed[shard].closed)
            for shard in scheduled
        ]

    def commit(self, end: Offset) -> None:
        """Kinesis keeps records for the retention period regardless; old plans' ends are removed."""
        self._current = end
        if end["plan"] > 0:
            self.ends(end["run"]).remove_before(end["plan"])

    # -- executors ------------------------------------------------------------------------------------

    def read(self, partition: InputPartition) -> Iterator[Any]:
        import pyarrow as pa

        assert isinstance(partition, ShardPartition)
        started = time.monotonic()
        reader = self.shard_reader()
        ends = self.ends(partition.run)
        recorded = ends.get(partition.plan, partition.shard_id)
        if recorded is None:
            shard_read = reader.read(partition.shard_id, partition.start, closing=partition.closing)
            # The first end written wins; a task that loses (a retry, a speculative copy) reads the winner's.
            winner = ends.put_if_absent(
                partition.plan,
                partition.shard_id,
                {
                    **_who_reads(),
                    "end": shard_read.end,
                    "caught_up": shard_read.caught_up,
                    "records": len(shard_read),
                    "read_s": round(time.monotonic() - started, 3),
                },
            )
            if winner["end"] != shard_read.end:
                shard_read = reader.read(partition.shard_id, partition.start, winner["end"])
        else:
            shard_read = reader.read(partition.shard_id, partition.start, recorded["end"])
        n = len(shard_read)
        if n == 0:
            return
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(shard_read.data, pa.binary()),
                pa.array([self.stream_name] * n, pa.string()),
                pa.array(shard_read.partition_keys, pa.string()),
                pa.array(shard_read.sequences, pa.string()),
                pa.array(shard_read.arrivals, pa.timestamp("us", tz="UTC")),
                pa.array([partition.shard_id] * n, pa.string()),
            ],
            names=KINESIS_SCHEMA.fieldNames(),
        )


def _who_reads() -> dict[str, Any]:
    """The process and Spark task that read a shard, kept with its recorded end for operators and tests."""
    from pyspark import TaskContext

    task = TaskContext.get()
    where = None if task is None else {"stage": task.stageId(), "partition": task.partitionId(), "attempt": task.taskAttemptId()}
    return {"pid": os.getpid(), "task": where}


def metadata_path_for(checkpoint_path: str) -> str:
    """The reader's `metadataPath` inside a query's checkpoint, so both are kept and reset together."""
    return checkpoint_path.rstrip("/") + "/kinesis-shard-ends"


def _positive_int(options: Mapping[str, str], key: str, default: int) -> int:
    text = options.get(key)
    if text is None or text == "":
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{key}: expected a positive integer (got {text!r})")
    return int(text)


class KinesisDataSource(DataSource):
    """`spark.readStream.format("streamsoft-kinesis")` with options streamName, metadataPath, endpointUrl,
    region, startingPosition (LATEST | TRIM_HORIZON | AT_TIMESTAMP <ISO or epoch ms>), maxRecordsPerShard,
    maxBytesPerShard, probeThreads."""

    @classmethod
    def name(cls) -> str:
        return SOURCE_NAME

    def schema(self) -> StructType:
        return KINESIS_SCHEMA

    def streamReader(self, schema: StructType) -> DataSourceStreamReader:
        return KinesisStreamReader(self.options)
