"""Bronze decoding and the idempotent sink on real local Spark + Delta: v1/v2 in one batch, every kind of
bad record quarantined with its reason, replayed batches written once, one registry request per id."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, Mapping, Sequence

import pytest
from pyspark.sql import DataFrame, SparkSession

from apicurio_server import ApicurioRegistry
from streamsoft_jobs.bronze_sink import BronzeSink, ensure_bronze_tables
from streamsoft_jobs.bronze_transforms import FRAME_SCHEMA
from streamsoft_jobs.lake import table_path
from trade_frames import SCHEMAS, TRADE_V1, TRADE_V2, V1_ID, V2_ID, frame, trade

ARRIVAL = dt.datetime(2026, 11, 28, 9, 30, 1, tzinfo=dt.timezone.utc)
WRITERS = {1: TRADE_V1, 2: TRADE_V2}


@pytest.fixture(scope="module")
def ids(registry: ApicurioRegistry) -> dict[int, int]:
    """Trade v1 and v2 registered in the real registry (Apicurio): the schema id of each version."""
    subject = f"trades-{uuid.uuid4().hex[:8]}-value"
    return {version: registry.register(subject, schema) for version, schema in WRITERS.items()}


class CountingRegistry:
    """Serves writer schemas by id, the one registry call a sink without a subject makes, and counts the
    requests per id."""

    def __init__(self, schemas: Mapping[int, Mapping[str, Any]]) -> None:
        self.requests: Counter[int] = Counter()
        counting = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                schema_id = self.path.rsplit("/schemas/ids/", 1)[-1]
                schema = schemas.get(int(schema_id)) if "/schemas/ids/" in self.path and schema_id.isdigit() else None
                if schema is not None:
                    counting.requests[int(schema_id)] += 1
                payload = json.dumps({"schema": json.dumps(schema)} if schema else {"error_code": 40403}).encode()
                self.send_response(200 if schema is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/apis/ccompat/v7"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_registry() -> Iterator[CountingRegistry]:
    server = CountingRegistry(SCHEMAS)
    yield server
    server.stop()


def frames_df(spark: SparkSession, raws: Sequence[bytes | None], first_offset: int = 0) -> DataFrame:
    return spark.createDataFrame(
        [(raw, "kafka", "0", str(first_offset + i), ARRIVAL) for i, raw in enumerate(raws)], FRAME_SCHEMA
    )


def good_frames(ids: Mapping[int, int]) -> list[bytes]:
    """20 trades, odd ones written with v1 and even ones with v2, framed with the schema ids in `ids`."""
    return [frame(trade(i, v), ids[v], WRITERS[v]) for i in range(20) for v in [1 if i % 2 else 2]]


def bad_frames(ids: Mapping[int, int]) -> dict[str, tuple[bytes | None, str]]:
    v2 = frame(trade(99, 2), ids[2], TRADE_V2)
    return {
        "empty": (b"", "empty_payload"),
        "null": (None, "empty_payload"),
        "magic": (b"\x07" + v2[1:], "bad_magic_byte"),
        "unknown id": (b"\x00\x7f\xff\xff\xf0" + v2[5:], "unknown_schema_id"),
        "truncated": (v2[:12], "corrupt_body"),
        "short header": (b"\x00\x00\x00", "corrupt_body"),
        "trailing bytes": (v2 + b"\x01\x02", "corrupt_body"),
    }


def test_v1_and_v2_in_one_batch_decode_into_the_v2_shape(
    spark: SparkSession, tmp_lake: str, registry: ApicurioRegistry, ids: dict[int, int]
) -> None:
    ensure_bronze_tables(spark, tmp_lake, TRADE_V2)
    sink = BronzeSink(tmp_lake, TRADE_V2, registry.url, app_id="test")
    sink(frames_df(spark, good_frames(ids)), 0)

    rows = {r["operation_id"]: r for r in spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades")).collect()}
    assert len(rows) == 20
    for i in range(20):
        expected = trade(i, 1 if i % 2 else 2)
        row = rows[expected["operation_id"]]
        assert row["_schema_id"] == ids[1 if i % 2 else 2]
        assert row["price"] == expected["price"]
        assert row["quantity"] == expected.get("quantity", 1)  # v1 gets the v2 default
        assert row["broker"] == expected.get("broker")
        assert row["operation"] == expected["operation"]
        assert row["event_date"] == dt.date(2026, 11, 28)
        assert (row["_source"], row["_source_partition"], row["_source_offset"]) == ("kafka", "0", str(i))
    quarantine = spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades_quarantine"))
    assert quarantine.count() == 0


def test_each_kind_of_bad_record_is_quarantined_with_its_reason(
    spark: SparkSession, tmp_lake: str, registry: ApicurioRegistry, ids: dict[int, int]
) -> None:
    ensure_bronze_tables(spark, tmp_lake, TRADE_V2)
    bad = bad_frames(ids)
    raws = [frame(trade(1, 2), ids[2], TRADE_V2)] + [raw for raw, _ in bad.values()]
    BronzeSink(tmp_lake, TRADE_V2, registry.url, app_id="test")(frames_df(spark, raws), 0)

    trades = spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades"))
    assert trades.count() == 1
    quarantine = {
        int(r["_source_offset"]): r
        for r in spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades_quarantine")).collect()
    }
    assert len(quarantine) == len(bad)
    for offset, (name, (raw, reason)) in enumerate(bad.items(), start=1):
        row = quarantine[offset]
        assert row["reason"] == reason, name
        assert row["detail"], name
        assert (bytes(row["raw"]) if row["raw"] is not None else None) == (raw if raw else raw), name
        assert row["_ingested_at"] is not None


def test_a_replayed_batch_is_not_written_twice(
    spark: SparkSession, tmp_lake: str, registry: ApicurioRegistry, ids: dict[int, int]
) -> None:
    ensure_bronze_tables(spark, tmp_lake, TRADE_V2)
    sink = BronzeSink(tmp_lake, TRADE_V2, registry.url, app_id="replay-test")
    batch = frames_df(spark, good_frames(ids) + [b"\x05bad"])
    trades = table_path(tmp_lake, "bronze", "trades")
    quarantine = table_path(tmp_lake, "bronze", "trades_quarantine")

    sink(batch, 7)
    sink(batch, 7)  # the same batch id again, as after a crash between the Delta commit and the checkpoint
    assert spark.read.format("delta").load(trades).count() == 20
    assert spark.read.format("delta").load(quarantine).count() == 1

    sink(frames_df(spark, good_frames(ids), first_offset=100), 8)
    assert spark.read.format("delta").load(trades).count() == 40

    # another query (a reset checkpoint gets a new query id) starting again from batch 0 still writes
    BronzeSink(tmp_lake, TRADE_V2, registry.url, app_id="another-query")(frames_df(spark, good_frames(ids), 200), 0)
    assert spark.read.format("delta").load(trades).count() == 60


def test_each_writer_schema_is_fetched_once_per_python_worker(
    spark: SparkSession, tmp_lake: str, counting_registry: CountingRegistry
) -> None:
    # A stub, not Apicurio: the proof is the count of registry requests per schema id, which Apicurio does not report.
    ensure_bronze_tables(spark, tmp_lake, TRADE_V2)
    sink = BronzeSink(tmp_lake, TRADE_V2, counting_registry.url, app_id="cache-test")
    for batch_id in range(4):
        sink(frames_df(spark, good_frames({1: V1_ID, 2: V2_ID}), first_offset=batch_id * 100).repartition(2), batch_id)
    assert spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades")).count() == 80
    # local[2] reuses at most two Python workers; each asks the registry once per id, not once per batch
    assert 1 <= counting_registry.requests[V1_ID] <= 2
    assert 1 <= counting_registry.requests[V2_ID] <= 2


def test_bronze_tables_checkpoint_their_log_every_100_commits(spark: SparkSession, tmp_lake: str) -> None:
    from delta.tables import DeltaTable

    for path in ensure_bronze_tables(spark, tmp_lake, TRADE_V2):
        detail = DeltaTable.forPath(spark, path).detail().first()
        assert detail is not None
        properties = detail["properties"]
        assert properties["delta.checkpointInterval"] == "100"
        assert properties["delta.enableChangeDataFeed"] == "true"
