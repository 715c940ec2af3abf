"""A Kinesis Data Streams source for Structured Streaming, as a Spark 4 Python data source over boto3.

Glue's `aws-kinesis` connector is not published to Maven Central, so the same job could not run it
locally; this reader runs unchanged on Glue (boto3 is there) and against kinesalite. It emits the
connector's columns (`data`, `streamName`, `partitionKey`, `sequenceNumber`,
`approximateArrivalTimestamp`) plus `shardId`.

Offsets are per-shard positions: `{"shards": {shardId: {"after": seq} | {"at_ms": ms} |
{"from": "TRIM_HORIZON"}, ...}}`, plus `"closed": true` once a closed shard is drained. A batch is
exactly the records after the start position up to and including the end sequence number, so a batch
replayed after a crash re-reads the same records. Shards are listed on every read: shards created by a
split or merge are picked up from TRIM_HORIZON. Reading runs on the driver (SimpleDataSourceStreamReader),
which keeps offsets exact; it suits streams of a few shards to a few dozen.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Iterator, Mapping

from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader
from pyspark.sql.types import BinaryType, StringType, StructField, StructType, TimestampType

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

Position = dict[str, Any]
Row = tuple[bytes, str, str, str, dt.datetime, str]


def parse_starting_position(value: str, now_ms: int) -> Position:
    """`LATEST | TRIM_HORIZON | EARLIEST | AT_TIMESTAMP <ISO-8601 or epoch ms>` → an initial shard position.

    LATEST becomes "at the current time", so it is written to the checkpoint as a fixed point and a
    restart before the first batch does not skip records produced in between.
    """
    text = value.strip()
    upper = text.upper()
    if upper in ("TRIM_HORIZON", "EARLIEST"):
        return {"from": "TRIM_HORIZON"}
    if upper == "LATEST":
        return {"at_ms": now_ms}
    if upper.startswith("AT_TIMESTAMP"):
        return {"at_ms": parse_timestamp_ms(text[len("AT_TIMESTAMP") :].strip(" =:"))}
    raise ValueError(f"startingPosition: expected LATEST, TRIM_HORIZON or AT_TIMESTAMP <time> (got {value!r})")


def parse_timestamp_ms(text: str) -> int:
    """Epoch milliseconds, or an ISO-8601 time (UTC when no offset is given), as epoch milliseconds."""
    if text.isdigit():
        return int(text)
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return int(parsed.timestamp() * 1000)


def _is_local(endpoint: str | None) -> bool:
    return bool(endpoint) and any(host in endpoint for host in ("127.0.0.1", "localhost", "[::1]"))


def kinesis_client(endpoint_url: str | None, region: str) -> Any:
    """A boto3 Kinesis client; a local endpoint (kinesalite) gets static dummy credentials."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 10, "mode": "standard"}, connect_timeout=10, read_timeout=30)
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    if _is_local(endpoint_url):
        kwargs["aws_access_key_id"] = "local"
        kwargs["aws_secret_access_key"] = "local"
    return boto3.client("kinesis", **kwargs)


class KinesisShardReader:
    """Reads one stream's shards by sequence number; shared by the stream reader and the tests."""

    def __init__(self, client: Any, stream_name: str, max_records_per_shard: int, page_limit: int = 10000) -> None:
        self.client = client
        self.stream_name = stream_name
        self.max_records_per_shard = max_records_per_shard
        self.page_limit = page_limit
        # shardId -> (position it continues from, shard iterator), to skip GetShardIterator between batches
        self._iterators: dict[str, tuple[str, str]] = {}

    def list_shards(self) -> list[str]:
        shards: list[str] = []
        response = self.client.list_shards(StreamName=self.stream_name)
        while True:
            shards.extend(shard["ShardId"] for shard in response.get("Shards", []))
            token = response.get("NextToken")
            if not token:
                return sorted(shards)
            response = self.client.list_shards(NextToken=token)

    def _iterator(self, shard_id: str, position: Position) -> str:
        key = repr(sorted(position.items()))
        cached = self._iterators.pop(shard_id, None)
        if cached is not None and cached[0] == key:
            return cached[1]
        args: dict[str, Any] = {"StreamName": self.stream_name, "ShardId": shard_id}
        if "after" in position:
            args.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=position["after"])
        elif "at_ms" in position:
            args.update(
                ShardIteratorType="AT_TIMESTAMP",
                Timestamp=dt.datetime.fromtimestamp(position["at_ms"] / 1000, tz=dt.timezone.utc),
            )
        else:
            args.update(ShardIteratorType="TRIM_HORIZON")
        return self.client.get_shard_iterator(**args)["ShardIterator"]

    def read_shard(self, shard_id: str, position: Position, until: str | None = None) -> tuple[list[Row], Position]:
        """Records after `position` (up to `until` inclusive, else up to the tip or the per-batch cap)."""
        if position.get("closed"):
            return [], position
        rows: list[Row] = []
        iterator: str | None = self._iterator(shard_id, position)
        end: Position = dict(position)
        stop_at = int(until) if until is not None else None
        # AT_TIMESTAMP means "arrived at or after"; checked here too because kinesalite starts a timestamp
        # iterator at the shard's beginning when no record is that recent.
        not_before = position.get("at_ms")
        while iterator is not None:
            try:
                limit = self.page_limit if stop_at is not None else min(self.page_limit, self.max_records_per_shard - len(rows))
                response = self.client.get_records(ShardIterator=iterator, Limit=max(1, limit))
            except self.client.exceptions.ExpiredIteratorException:
                iterator = self._iterator(shard_id, end)
                continue
            iterator = response.get("NextShardIterator")
            records = response.get("Records", [])
            for record in records:
                sequence = record["SequenceNumber"]
                arrival = record["ApproximateArrivalTimestamp"]
                if not_before is not None and arrival.timestamp() * 1000 < not_before:
                    continue
                if stop_at is not None and int(sequence) > stop_at:
                    return rows, end
                rows.append(
                    (
                        bytes(record["Data"]),
                        self.stream_name,
                        record.get("PartitionKey"),
                        sequence,
                        arrival,
                        shard_id,
                    )
                )
                end = {"after": sequence}
                if stop_at is not None and int(sequence) == stop_at:
                    return rows, end
            if iterator is None:
                # A closed shard (after a split or merge) is drained: nothing will ever follow.
                return rows, {**end, "closed": True}
            caught_up = not records and response.get("MillisBehindLatest", 0) == 0
            if stop_at is None and (caught_up or len(rows) >= self.max_records_per_shard):
                self._iterators[shard_id] = (repr(sorted(end.items())), iterator)
                return rows, end
            if stop_at is not None and not records and response.get("MillisBehindLatest", 0) == 0:
                # the replayed range ends beyond what the shard holds now: the stream lost records
                raise RuntimeError(
                    f"shard {shard_id} of {self.stream_name} ended before sequence number {until}; "
                    "records past the retention period cannot be replayed"
                )
        return rows, end


class KinesisStreamReader(SimpleDataSourceStreamReader):
    def __init__(self, options: Mapping[str, str]) -> None:
        lowered = {key.lower(): value for key, value in options.items()}
        stream = lowered.get("streamname")
        if not stream:
            raise ValueError("streamName option is required")
        self.stream_name = stream
        self.endpoint_url = lowered.get("endpointurl") or None
        self.region = lowered.get("region") or "us-east-1"
        self.starting_position = lowered.get("startingposition", "TRIM_HORIZON")
        self.max_records_per_shard = int(lowered.get("maxrecordspershard", "50000"))
        self._reader: KinesisShardReader | None = None

    @property
    def reader(self) -> KinesisShardReader:
        if self._reader is None:
            client = kinesis_client(self.endpoint_url, self.region)
            self._reader = KinesisShardReader(client, self.stream_name, self.max_records_per_shard)
        return self._reader

    def initialOffset(self) -> dict:
        now_ms = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
        start = parse_starting_position(self.starting_position, now_ms)
        return {"shards": {shard: dict(start) for shard in self.reader.list_shards()}}

    def read(self, start: dict) -> tuple[Iterator[tuple], dict]:
        shards: dict[str, Position] = dict(start["shards"])
        for shard in self.reader.list_shards():
            shards.setdefault(shard, {"from": "TRIM_HORIZON"})
        rows: list[Row] = []
        end: dict[str, Position] = {}
        for shard, position in sorted(shards.items()):
            shard_rows, end[shard] = self.reader.read_shard(shard, position)
            rows.extend(shard_rows)
        if rows:
            log.debug("read %d records from %s", len(rows), self.stream_name)
        return iter(rows), {"shards": end}

    def readBetweenOffsets(self, start: dict, end: dict) -> Iterator[tuple]:
        rows: list[Row] = []
        for shard, last in sorted(end["shards"].items()):
            first = start["shards"].get(shard, {"from": "TRIM_HORIZON"})
            if "after" not in last or first.get("after") == last["after"]:
                continue
            shard_rows, _ = self.reader.read_shard(shard, {k: v for k, v in first.items() if k != "closed"}, last["after"])
            rows.extend(shard_rows)
        return iter(rows)

    def commit(self, end: dict) -> None:
        """Nothing to acknowledge: Kinesis keeps records for the retention period regardless."""


class KinesisDataSource(DataSource):
    """`spark.readStream.format("streamsoft-kinesis")` with options endpointUrl, region, streamName,
    startingPosition (LATEST | TRIM_HORIZON | AT_TIMESTAMP <ISO or epoch ms>), maxRecordsPerShard."""

    @classmethod
    def name(cls) -> str:
        return SOURCE_NAME

    def schema(self) -> StructType:
        return KINESIS_SCHEMA

    def simpleStreamReader(self, schema: StructType) -> SimpleDataSourceStreamReader:
        return KinesisStreamReader(self.options)
