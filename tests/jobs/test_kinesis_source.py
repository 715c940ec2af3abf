"""The partitioned Kinesis data source against a real kinesalite: one input partition per shard read in
executor tasks, exact per-shard offsets, a replayed batch yielding the same records even after more
arrived, children read only after their parents are drained, throttling ridden out, and the whole bronze
query draining a stream with availableNow."""

from __future__ import annotations

import os
import pickle
import threading
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from deltalake import DeltaTable
from pyspark.sql import DataFrame, SparkSession

from apicurio_server import ApicurioRegistry
from kinesalite_server import Kinesalite, put_all, wait_active
from streamsoft_jobs.bronze_job import run_bronze
from streamsoft_jobs.kinesis_api import Backoff
from streamsoft_jobs.kinesis_ends import LocalShardEnds
from streamsoft_jobs.kinesis_positions import parse_starting_position
from streamsoft_jobs.kinesis_readers import KinesisReaderConfig
from streamsoft_jobs.kinesis_shard_reader import KinesisShardReader
from streamsoft_jobs.kinesis_source import KinesisDataSource, KinesisStreamReader, Offset, ShardPartition
from streamsoft_jobs.lake import table_path
from trade_frames import REPO_ROOT, SCHEMAS, V1_ID, V2_ID, bronze_config, frame, trade

Rec = tuple[str, str, bytes]  # (shardId, sequenceNumber, data)


@pytest.fixture(scope="module")
def kinesalite() -> Iterator[Kinesalite]:
    server = Kinesalite()
    yield server
    server.stop()


def new_stream(kinesalite: Kinesalite, shards: int) -> str:
    name = f"trades-{uuid.uuid4().hex[:8]}"
    kinesalite.create_stream(name, shards)
    return name


def reader_for(kinesalite: Kinesalite, stream: str, metadata: Path, **options: str) -> KinesisStreamReader:
    return KinesisStreamReader(
        {
            "streamName": stream,
            "endpointUrl": kinesalite.endpoint,
            "region": "us-east-1",
            "metadataPath": str(metadata),
            **options,
        }
    )


def execute(reader: KinesisStreamReader, start: Offset, end: Offset) -> tuple[list[ShardPartition], list[Rec]]:
    """What Spark does with a planned batch: partitions on the driver, then each read by a copy of the
    reader as an executor gets it (pickled, without the driver's client or state)."""
    partitions: list[ShardPartition] = []
    rows: list[Rec] = []
    for partition in reader.partitions(start, end):
        assert isinstance(partition, ShardPartition)
        partitions.append(partition)
        executor = pickle.loads(pickle.dumps(reader))
        for batch in executor.read(pickle.loads(pickle.dumps(partition))):
            table = batch.to_pydict()
            rows.extend(zip(table["shardId"], table["sequenceNumber"], table["data"], strict=True))
    return partitions, rows


def next_batch(reader: KinesisStreamReader, start: Offset) -> tuple[Offset, list[Rec]] | None:
    """The next micro-batch after `start`, or None when the source reports nothing new."""
    end = reader.latestOffset()
    if end == start:
        return None
    return end, execute(reader, start, end)[1]


def acked_records(acked: list[dict[str, Any]], payloads: list[bytes]) -> list[Rec]:
    return sorted((a["shard"], a["sequence"], p) for a, p in zip(acked, payloads, strict=True))


def test_starting_positions() -> None:
    assert parse_starting_position("TRIM_HORIZON", 5) == {"from": "TRIM_HORIZON"}
    assert parse_starting_position("latest", 5) == {"at_ms": 5}
    assert parse_starting_position("AT_TIMESTAMP 1764316800000", 5) == {"at_ms": 1764316800000}
    assert parse_starting_position("AT_TIMESTAMP 2025-11-28T08:00:00Z", 5) == {"at_ms": 1764316800000}
    with pytest.raises(ValueError, match="startingPosition"):
        parse_starting_position("yesterday", 5)


def test_bad_options_fail_with_one_line() -> None:
    with pytest.raises(ValueError, match="metadataPath"):
        KinesisStreamReader({"streamName": "s"})
    with pytest.raises(ValueError, match="maxrecordspershard"):
        KinesisStreamReader({"streamName": "s", "metadataPath": "/tmp/x", "maxRecordsPerShard": "0"})


def test_one_partition_per_shard_and_a_replay_reads_the_same_records_after_more_arrived(
    kinesalite: Kinesalite, tmp_path: Path
) -> None:
    stream = new_stream(kinesalite, 3)
    client = kinesalite.client()
    payloads = [f"record-{i}".encode() for i in range(300)]
    acked = put_all(client, stream, [(f"key-{i}", p) for i, p in enumerate(payloads)])

    reader = reader_for(kinesalite, stream, tmp_path, startingPosition="TRIM_HORIZON")
    start = reader.initialOffset()
    end = reader.latestOffset()
    partitions, rows = execute(reader, start, end)
    assert sorted(p.shard_id for p in partitions) == sorted(start["shards"]) and len(partitions) == 3
    assert sorted(rows) == acked_records(acked, payloads)

    # Records arrive, then the batch is replayed (a crash before Spark's commit), by a fresh reader as after
    # a restart: its end is the one its executors recorded, not the new tip, so it is the same batch.
    more = [f"more-{i}".encode() for i in range(50)]
    acked_more = put_all(client, stream, [(f"key-{i}", p) for i, p in enumerate(more)])
    _, replayed = execute(reader_for(kinesalite, stream, tmp_path), start, end)
    assert replayed == rows

    # the next batch holds exactly the new records; then nothing is new and the offset stays put
    batch = next_batch(reader, end)
    assert batch is not None
    end2, rows2 = batch
    assert sorted(rows2) == acked_records(acked_more, more)
    assert next_batch(reader, end2) is None


def test_a_batch_that_never_ran_is_read_fresh_and_then_fixed(kinesalite: Kinesalite, tmp_path: Path) -> None:
    stream = new_stream(kinesalite, 1)
    client = kinesalite.client()
    first = put_all(client, stream, [("k", b"a"), ("k", b"b")])
    reader = reader_for(kinesalite, stream, tmp_path)
    start = reader.initialOffset()
    end = reader.latestOffset()
    # planned and written to the offset log, then a crash before any task ran: more records came meanwhile
    second = put_all(client, stream, [("k", b"c")])
    _, rows = execute(reader_for(kinesalite, stream, tmp_path), start, end)
    assert [r[2] for r in rows] == [b"a", b"b", b"c"]
    assert [r[1] for r in rows] == [a["sequence"] for a in first + second]
    # from then on the batch is fixed, whatever arrives
    put_all(client, stream, [("k", b"d")])
    assert execute(reader_for(kinesalite, stream, tmp_path), start, end)[1] == rows


def test_eight_shards_are_read_by_parallel_executor_tasks(spark: SparkSession, kinesalite: Kinesalite, tmp_path: Path) -> None:
    stream = new_stream(kinesalite, 8)
    payloads = [f"p-{i}".encode() for i in range(800)]
    acked = put_all(kinesalite.client(), stream, [(f"key-{i}", p) for i, p in enumerate(payloads)])
    assert len({a["shard"] for a in acked}) == 8
    metadata = tmp_path / "ends"
    spark.dataSource.register(KinesisDataSource)
    frames = (
        spark.readStream.format(KinesisDataSource.name())
        .option("streamName", stream)
        .option("endpointUrl", kinesalite.endpoint)
        .option("metadataPath", str(metadata))
        .option("startingPosition", "TRIM_HORIZON")
        .load()
    )
    seen: list[Rec] = []
    query = (
        frames.writeStream.foreachBatch(
            lambda df, _: seen.extend((r.shardId, r.sequenceNumber, bytes(r.data)) for r in df.collect())
        )
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .start()
    )
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    assert sorted(seen) == acked_records(acked, payloads)

    # Every shard's end was recorded inside a Spark task (the driver has no TaskContext), by Python worker
    # processes other than this one, two at a time on local[2].
    (run,) = list(metadata.iterdir())
    ends = [LocalShardEnds(run).get(0, shard) for shard in sorted({a["shard"] for a in acked})]
    assert all(e is not None for e in ends)
    assert sorted(e["records"] for e in ends if e) == sorted(
        sum(1 for a in acked if a["shard"] == s) for s in {a["shard"] for a in acked}
    )
    assert all(e["task"] is not None for e in ends if e)
    assert len({e["task"]["partition"] for e in ends if e}) == 8
    pids = {e["pid"] for e in ends if e}
    assert os.getpid() not in pids and len(pids) >= 2


def test_a_failed_batch_replayed_by_spark_yields_the_same_records(spark: SparkSession, kinesalite: Kinesalite, tmp_path: Path) -> None:
    stream = new_stream(kinesalite, 2)
    client = kinesalite.client()
    acked = put_all(client, stream, [(f"k{i}", f"r{i}".encode()) for i in range(60)])
    spark.dataSource.register(KinesisDataSource)
    attempts: list[list[Rec]] = []
    fail = threading.Event()
    fail.set()

    def sink(df: DataFrame, batch_id: int) -> None:
        attempts.append(sorted((r.shardId, r.sequenceNumber, bytes(r.data)) for r in df.collect()))
        if fail.is_set():
            fail.clear()
            # records arrive while the batch is in flight; the batch then fails before Spark commits it
            put_all(client, stream, [(f"late{i}", f"late{i}".encode()) for i in range(25)])
            raise RuntimeError("sink failed")

    def start() -> Any:
        return (
            spark.readStream.format(KinesisDataSource.name())
            .option("streamName", stream)
            .option("endpointUrl", kinesalite.endpoint)
            .option("metadataPath", str(tmp_path / "ends"))
            .load()
            .writeStream.foreachBatch(sink)
            .option("checkpointLocation", str(tmp_path / "checkpoint"))
            .start()
        )

    query = start()
    with pytest.raises(Exception, match="sink failed"):
        query.processAllAvailable()
    query = start()
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    assert len(attempts) >= 3
    assert attempts[1] == attempts[0] == sorted((a["shard"], a["sequence"], f"r{i}".encode()) for i, a in enumerate(acked))
    later = [r for batch in attempts[2:] for r in batch]
    assert sorted(r[2] for r in later) == sorted(f"late{i}".encode() for i in range(25))


def test_a_split_during_the_run_and_a_failed_batch_lose_and_duplicate_nothing(
    spark: SparkSession, kinesalite: Kinesalite, tmp_path: Path
) -> None:
    stream = new_stream(kinesalite, 1)
    client = kinesalite.client()
    parent = client.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    spark.dataSource.register(KinesisDataSource)
    # An idempotent sink, as the Delta sink is: a replayed batch id replaces what that id wrote before.
    written: dict[int, list[Rec]] = {}
    attempts: dict[int, list[list[Rec]]] = {}
    fail_on_child = threading.Event()
    fail_on_child.set()

    def sink(df: DataFrame, batch_id: int) -> None:
        rows = sorted((r.shardId, r.sequenceNumber, bytes(r.data)) for r in df.collect())
        attempts.setdefault(batch_id, []).append(rows)
        written[batch_id] = rows
        if fail_on_child.is_set() and any(r[0] != parent for r in rows):
            fail_on_child.clear()
            raise RuntimeError("crash after the write, before Spark's commit")

    def start() -> Any:
        return (
            spark.readStream.format(KinesisDataSource.name())
            .option("streamName", stream)
            .option("endpointUrl", kinesalite.endpoint)
            .option("metadataPath", str(tmp_path / "ends"))
            .option("maxRecordsPerShard", "15")
            .load()
            .writeStream.foreachBatch(sink)
            .option("checkpointLocation", str(tmp_path / "checkpoint"))
            .start()
        )

    acked = put_all(client, stream, [(f"k{i}", f"a{i}".encode()) for i in range(40)])
    query = start()
    query.processAllAvailable()
    split(client, stream, parent)
    acked += put_all(client, stream, [(f"k{i}", f"b{i}".encode()) for i in range(40)])
    with pytest.raises(Exception, match="crash after the write"):
        query.processAllAvailable()
    query = start()
    try:
        query.processAllAvailable()
        acked += put_all(client, stream, [(f"k{i}", f"c{i}".encode()) for i in range(20)])
        query.processAllAvailable()
    finally:
        query.stop()

    rows = [r for batch_id in sorted(written) for r in written[batch_id]]
    assert sorted((r[0], r[1]) for r in rows) == sorted((a["shard"], a["sequence"]) for a in acked)
    assert len(rows) == len(acked)
    replayed = [tries for tries in attempts.values() if len(tries) > 1]
    assert len(replayed) == 1 and replayed[0][0] == replayed[0][1]
    # the parent's last record comes in an earlier batch than the children's first
    order = [batch_id for batch_id in sorted(written) if written[batch_id]]
    last_parent = max(b for b in order if any(r[0] == parent for r in written[b]))
    first_child = min(b for b in order if any(r[0] != parent for r in written[b]))
    assert last_parent < first_child


def drain(reader: KinesisStreamReader, start: Offset) -> tuple[Offset, list[list[Rec]]]:
    batches: list[list[Rec]] = []
    while (batch := next_batch(reader, start)) is not None:
        start, rows = batch
        batches.append(rows)
    return start, batches


def split(client: Any, stream: str, shard_id: str) -> None:
    shard = next(s for s in client.list_shards(StreamName=stream)["Shards"] if s["ShardId"] == shard_id)
    low, high = int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])
    client.split_shard(StreamName=stream, ShardToSplit=shard_id, NewStartingHashKey=str((low + high) // 2))
    wait_active(client, stream)


def test_split_children_are_read_only_after_the_parent_is_drained(kinesalite: Kinesalite, tmp_path: Path) -> None:
    stream = new_stream(kinesalite, 1)
    client = kinesalite.client()
    parent = client.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    before = put_all(client, stream, [(f"key-{i}", f"before-{i}".encode()) for i in range(30)])
    reader = reader_for(kinesalite, stream, tmp_path, startingPosition="TRIM_HORIZON", maxRecordsPerShard="20")
    start, end = reader.initialOffset(), reader.latestOffset()
    _, first = execute(reader, start, end)
    assert len(first) == 20  # the parent still holds 10 unread records when it splits

    split(client, stream, parent)
    after = put_all(client, stream, [(f"key-{i}", f"after-{i}".encode()) for i in range(40)])
    assert {a["shard"] for a in after}.isdisjoint({parent}), "records went to the new child shards"

    _, batches = drain(reader, end)
    rows = first + [r for b in batches for r in b]
    assert sorted((r[0], r[1]) for r in rows) == sorted((a["shard"], a["sequence"]) for a in before + after)
    assert len(rows) == len({(r[0], r[1]) for r in rows})
    # per batch index: the last batch with a parent record comes before the first with a child record
    with_parent = [i for i, b in enumerate([first, *batches]) if any(r[0] == parent for r in b)]
    with_child = [i for i, b in enumerate([first, *batches]) if any(r[0] != parent for r in b)]
    assert max(with_parent) < min(with_child)


def test_merged_child_waits_for_both_parents(kinesalite: Kinesalite, tmp_path: Path) -> None:
    stream = new_stream(kinesalite, 2)
    client = kinesalite.client()
    left, right = sorted(s["ShardId"] for s in client.list_shards(StreamName=stream)["Shards"])
    before = put_all(client, stream, [(f"key-{i}", f"before-{i}".encode()) for i in range(40)])
    assert {a["shard"] for a in before} == {left, right}
    reader = reader_for(kinesalite, stream, tmp_path, startingPosition="TRIM_HORIZON", maxRecordsPerShard="5")
    start = reader.initialOffset()
    client.merge_shards(StreamName=stream, ShardToMerge=left, AdjacentShardToMerge=right)
    wait_active(client, stream)
    after = put_all(client, stream, [(f"key-{i}", f"after-{i}".encode()) for i in range(20)])
    (child,) = {a["shard"] for a in after}

    _, batches = drain(reader, start)
    rows = [r for b in batches for r in b]
    assert sorted((r[0], r[1]) for r in rows) == sorted((a["shard"], a["sequence"]) for a in before + after)
    assert len(rows) == len({(r[0], r[1]) for r in rows})
    last_parent = max(i for i, b in enumerate(batches) if any(r[0] in (left, right) for r in b))
    first_child = min(i for i, b in enumerate(batches) if any(r[0] == child for r in b))
    assert last_parent < first_child


def test_latest_starts_after_what_is_already_there(kinesalite: Kinesalite, tmp_path: Path) -> None:
    stream = new_stream(kinesalite, 2)
    client = kinesalite.client()
    put_all(client, stream, [(f"k{i}", b"before") for i in range(10)])
    reader = reader_for(kinesalite, stream, tmp_path, startingPosition="LATEST")
    end, batches = drain(reader, reader.initialOffset())
    assert [r for b in batches for r in b] == []
    after = put_all(client, stream, [(f"k{i}", f"after-{i}".encode()) for i in range(10)])
    _, batches = drain(reader, end)
    assert sorted(r[1] for b in batches for r in b) == sorted(a["sequence"] for a in after)


class ThrottlingClient:
    """The real kinesalite client, but every other GetRecords / GetShardIterator is throttled as Kinesis does
    past 5 reads or 2 MB per second per shard (kinesalite itself never throttles reads)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.exceptions = client.exceptions
        self.throttled = 0
        self._calls = 0

    def _maybe_throttle(self, operation: str) -> None:
        self._calls += 1
        if self._calls % 2 == 1:
            self.throttled += 1
            raise self.exceptions.ProvisionedThroughputExceededException(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}}, operation
            )

    def get_records(self, **kwargs: Any) -> Any:
        self._maybe_throttle("GetRecords")
        return self._client.get_records(**kwargs)

    def get_shard_iterator(self, **kwargs: Any) -> Any:
        self._maybe_throttle("GetShardIterator")
        return self._client.get_shard_iterator(**kwargs)


def test_throttled_reads_back_off_and_still_read_every_record_once(kinesalite: Kinesalite) -> None:
    stream = new_stream(kinesalite, 1)
    acked = put_all(kinesalite.client(), stream, [("k", f"r{i}".encode()) for i in range(35)])
    shard = acked[0]["shard"]
    client = ThrottlingClient(kinesalite.client())
    sleeps: list[float] = []
    reader = KinesisShardReader(client, stream, max_records=10, backoff=Backoff(base_s=0.1, cap_s=1.0, sleep=sleeps.append))
    position: dict[str, Any] = {"from": "TRIM_HORIZON"}
    sequences: list[str] = []
    sizes: list[int] = []
    while (read := reader.read(shard, position)).sequences:
        sizes.append(len(read))
        sequences.extend(read.sequences)
        position = read.end
    assert sizes == [10, 10, 10, 5]
    assert sequences == [a["sequence"] for a in acked]
    assert client.throttled == len(sleeps) > 0
    assert all(0 <= s <= 0.1 for s in sleeps)  # the first retry waits at most base_s


def test_backoff_grows_then_gives_up() -> None:
    class Throttled(Exception):
        pass

    class Client:
        class exceptions:  # noqa: N801 - the shape of a boto3 client's exceptions attribute
            ProvisionedThroughputExceededException = Throttled
            LimitExceededException = Throttled

    sleeps: list[float] = []
    backoff = Backoff(base_s=1.0, cap_s=4.0, attempts=5, sleep=sleeps.append)

    def always() -> None:
        raise Throttled()

    with pytest.raises(Throttled):
        backoff.call(Client(), always)
    assert len(sleeps) == 4
    assert [s <= c for s, c in zip(sleeps[:4], [1.0, 2.0, 4.0, 4.0], strict=True)] == [True] * 4


def test_the_first_recorded_end_wins(tmp_path: Path) -> None:
    ends = LocalShardEnds(tmp_path)
    first = {"end": {"after": "1"}, "caught_up": True}
    assert ends.put_if_absent(3, "shardId-000000000000", first) == first
    assert ends.put_if_absent(3, "shardId-000000000000", {"end": {"after": "9"}, "caught_up": False}) == first
    ends.put_if_absent(4, "shardId-000000000000", first)
    ends.remove_before(4)
    assert ends.get(3, "shardId-000000000000") is None and ends.get(4, "shardId-000000000000") == first


def test_batches_are_capped_per_shard(kinesalite: Kinesalite, tmp_path: Path) -> None:
    stream = new_stream(kinesalite, 1)
    acked = put_all(kinesalite.client(), stream, [("k", f"r{i}".encode()) for i in range(35)])
    reader = reader_for(kinesalite, stream, tmp_path, maxRecordsPerShard="10")
    _, batches = drain(reader, reader.initialOffset())
    assert [len(b) for b in batches if b] == [10, 10, 10, 5]
    assert [r[1] for b in batches for r in b] == [a["sequence"] for a in acked]


def test_bronze_query_drains_the_stream_once_and_resumes_from_its_checkpoint(
    spark: SparkSession, tmp_lake: str, tmp_path: Path, kinesalite: Kinesalite, registry: ApicurioRegistry
) -> None:
    stream = new_stream(kinesalite, 2)
    client = kinesalite.client()
    # the real registry (Apicurio): v1 then v2 under the subject, so v2 is the reader schema
    local_ids = {1: V1_ID, 2: V2_ID}
    ids = {version: registry.register(f"{stream}-value", SCHEMAS[local]) for version, local in local_ids.items()}

    def framed(values: dict[str, Any], version: int) -> bytes:
        return frame(values, ids[version], SCHEMAS[local_ids[version]])

    good = [framed(trade(i, 1 if i % 3 == 0 else 2), 1 if i % 3 == 0 else 2) for i in range(120)]
    bad = [b"\x09garbage", b"\x00\x7f\xff\xff\xf1" + good[1][5:], good[1][:9]]
    acked = put_all(client, stream, [(f"k{i}", raw) for i, raw in enumerate(good + bad)])
    config = bronze_config(
        "kinesis",
        stream,
        tmp_lake,
        tmp_path / "checkpoint",
        registry.url,
        kinesis_endpoint=kinesalite.endpoint,
        kinesis_reader=KinesisReaderConfig(max_records_per_shard=25),  # several batches per shard: the drain must not stop after one
    )
    run_bronze(spark, config)

    trades_path = table_path(tmp_lake, "bronze", "trades")
    quarantine_path = table_path(tmp_lake, "bronze", "trades_quarantine")
    trades = spark.read.format("delta").load(trades_path)
    pairs = {(r["_source_partition"], r["_source_offset"]) for r in trades.collect()}
    assert trades.count() == len(pairs) == 120
    assert pairs == {(a["shard"], a["sequence"]) for a in acked[:120]}
    quarantine = spark.read.format("delta").load(quarantine_path).collect()
    assert sorted(r["reason"] for r in quarantine) == ["bad_magic_byte", "corrupt_body", "unknown_schema_id"]

    more = put_all(client, stream, [(f"m{i}", framed(trade(500 + i, 2), 2)) for i in range(30)])
    run_bronze(spark, config)
    trades = spark.read.format("delta").load(trades_path)
    pairs = {(r["_source_partition"], r["_source_offset"]) for r in trades.collect()}
    assert trades.count() == len(pairs) == 150
    assert pairs == {(a["shard"], a["sequence"]) for a in acked[:120] + more}

    # an independent Delta reader sees the same tables
    assert DeltaTable(trades_path).to_pyarrow_table().num_rows == 150
    assert DeltaTable(quarantine_path).to_pyarrow_table().num_rows == 3


def test_reader_schema_can_be_a_local_file(spark: SparkSession, tmp_lake: str, tmp_path: Path, kinesalite: Kinesalite) -> None:
    from streamsoft_jobs.bronze_query import load_reader_schema

    config = bronze_config(
        "kinesis", "s", tmp_lake, tmp_path, "http://127.0.0.1:9/unused", reader_schema=str(REPO_ROOT / "schemas" / "trade-v2.avsc")
    )
    assert [f["name"] for f in load_reader_schema(config).schema["fields"]][-2:] == ["quantity", "broker"]
