"""Reading one Kinesis shard by sequence number, on executors (and in the tests and benchmarks): from a
position to the tip or a per-batch cap, or exactly to a recorded end when a batch is replayed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .kinesis_api import Backoff
from .kinesis_positions import Position

# GetRecords returns at most 10,000 records or 10 MiB per call.
# https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
GET_RECORDS_MAX = 10000
# Empty pages a read of a closed shard follows before it gives up waiting for the iterator to end.
CLOSING_EMPTY_PAGES = 3


@dataclass
class ShardRead:
    """What one read of one shard produced: columns for Arrow, where it ended, whether it reached the tip."""

    data: list[bytes] = field(default_factory=list)
    partition_keys: list[str] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)
    arrivals: list[dt.datetime] = field(default_factory=list)
    end: Position = field(default_factory=dict)
    caught_up: bool = False

    def __len__(self) -> int:
        return len(self.sequences)


class KinesisShardReader:
    """Reads one shard by sequence number; runs on executors (and in the tests)."""

    def __init__(
        self,
        client: Any,
        stream_name: str,
        max_records: int = 50000,
        max_bytes: int = 64 * 1024 * 1024,
        backoff: Backoff = Backoff(),
    ) -> None:
        self.client = client
        self.stream_name = stream_name
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.backoff = backoff

    def iterator(self, shard_id: str, position: Position) -> str:
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
        return str(self.backoff.call(self.client, lambda: self.client.get_shard_iterator(**args))["ShardIterator"])

    def get_records(self, iterator: str, limit: int) -> dict[str, Any]:
        return self.backoff.call(
            self.client, lambda: self.client.get_records(ShardIterator=iterator, Limit=max(1, min(limit, GET_RECORDS_MAX)))
        )

    def read(
        self, shard_id: str, start: Position, until: Position | None = None, closing: bool = False
    ) -> ShardRead:
        """Records after `start`: up to `until` (a recorded end, inclusive) when given, else up to the tip or
        the per-batch caps. `end` moves past every record seen, also those an AT_TIMESTAMP start skips.
        `closing`: ListShards says the shard is closed, so an empty page at the tip is followed (a few times)
        until the iterator ends: kinesalite ends it only on the page after the last record's."""
        out = ShardRead(end={k: v for k, v in start.items() if k != "closed"})
        if start.get("closed") or (until is not None and until.get("after") in (None, start.get("after"))):
            out.end = dict(until if until is not None else start)
            return out
        stop_at = int(until["after"]) if until is not None else None
        # AT_TIMESTAMP means "arrived at or after"; checked here too because kinesalite starts a timestamp
        # iterator at the shard's beginning when no record is that recent.
        not_before = start.get("at_ms")
        size = 0
        empty_pages = 0
        iterator: str | None = self.iterator(shard_id, start)
        while iterator is not None:
            limit = GET_RECORDS_MAX if stop_at is not None else self.max_records - len(out)
            try:
                response = self.get_records(iterator, limit)
            except self.client.exceptions.ExpiredIteratorException:
                iterator = self.iterator(shard_id, out.end)
                continue
            iterator = response.get("NextShardIterator")
            records = response.get("Records", [])
            for record in records:
                sequence = record["SequenceNumber"]
                if stop_at is not None and int(sequence) > stop_at:
                    return out
                arrival = record["ApproximateArrivalTimestamp"]
                out.end = {"after": sequence}
                if not_before is None or arrival.timestamp() * 1000 >= not_before:
                    data = bytes(record["Data"])
                    size += len(data)
                    out.data.append(data)
                    out.partition_keys.append(record.get("PartitionKey"))
                    out.sequences.append(sequence)
                    out.arrivals.append(arrival)
                if stop_at is not None and int(sequence) == stop_at:
                    return out
            if iterator is None:
                # A closed shard (after a split or merge) is drained: nothing will ever follow.
                out.end = {**out.end, "closed": True}
                out.caught_up = True
                return out
            at_tip = not records and response.get("MillisBehindLatest", 0) == 0
            if stop_at is None and at_tip and closing and empty_pages < CLOSING_EMPTY_PAGES:
                empty_pages += 1
                continue
            if stop_at is None and (at_tip or len(out) >= self.max_records or size >= self.max_bytes):
                out.caught_up = at_tip
                return out
            if stop_at is not None and at_tip:
                raise RuntimeError(
                    f"shard {shard_id} of {self.stream_name} ended before sequence number {stop_at}; "
                    "records past the retention period cannot be replayed"
                )
        return out

    def has_records_after(self, shard_id: str, position: Position) -> bool:
        """One GetRecords call (Limit 1), repeated only while it returns nothing but is behind the tip."""
        iterator: str | None = self.iterator(shard_id, position)
        while iterator is not None:
            response = self.get_records(iterator, 1)
            if response.get("Records") or response.get("NextShardIterator") is None:
                return True  # a record, or a closed shard to mark drained
            if response.get("MillisBehindLatest", 0) == 0:
                return False
            iterator = response["NextShardIterator"]
        return True
