"""Bronze decoding and the idempotent sink on real local Spark + Delta: v1/v2 in one batch, every kind of
bad record quarantined with its reason, replayed batches written once, one registry request per id."""

from __future__ import annotations

import datetime as dt
from typing import Iterator, Sequence

import pytest
from pyspark.sql import DataFrame, SparkSession

# A stub, not Apicurio: test_each_writer_schema_is_fetched_once_per_python_worker proves the per-worker schema
# cache by counting the registry requests for each schema id, which only an in-process server can count.
from registry_stub import RegistryStub
from streamsoft_jobs.bronze_sink import BronzeSink, ensure_bronze_tables
from streamsoft_jobs.bronze_transforms import FRAME_SCHEMA
from streamsoft_jobs.lake import table_path
from trade_frames import SCHEMAS, TRADE_V2, V1_ID, V2_ID, frame, trade

ARRIVAL = dt.datetime(2026, 11, 28, 9, 30, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def registry() -> Iterator[RegistryStub]:
    stub = RegistryStub(SCHEMAS, {"trades-value": V2_ID})
    yield stub
    stub.stop()


def frames_df(spark: SparkSession, raws: Sequence[bytes | None], first_offset: int = 0) -> DataFrame:
    return spark.createDataFrame(
        [(raw, "kafka", "0", str(first_offset + i), ARRIVAL) for i, raw in enumerate(raws)], FRAME_SCHEMA
    )


def good_frames() -> list[bytes]:
    return [frame(trade(i, 1), V1_ID) if i % 2 else frame(trade(i, 2), V2_ID) for i in range(20)]


def bad_frames() -> dict[str, tuple[bytes | None, str]]:
    v2 = frame(trade(99, 2), V2_ID)
    return {
        "empty": (b"", "empty_payload"),
        "null": (None, "empty_payload"),
        "magic": (b"\x07" + v2[1:], "bad_magic_byte"),
        "unknown id": (b"\x00\x7f\xff\xff\xf0" + v2[5:], "unknown_schema_id"),
        "truncated": (v2[:12], "corrupt_body"),
        "short header": (b"\x00\x00\x00", "corrupt_body"),
        "trailing bytes": (v2 + b"\x01\x02", "corrupt_body"),
    }


def test_v1_and_v2_in_one_batch_decode_into_the_v2_shape(spark: SparkSession, tmp_lake: str, registry: RegistryStub) -> None:
    ensure_bronze_tables(spark, tmp_lake, TRADE_V2)
    sink = BronzeSink(tmp_lake, TRADE_V2, registry.url, app_id="test")
    sink(frames_df(spark, good_frames()), 0)

    rows = {r["operation_id"]: r for r in spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades")).collect()}
    assert len(rows) == 20
    for i in range(20):
        expected = trade(i, 1 if i % 2 else 2)
        row = rows[expected["operation_id"]]
        assert row["_schema_id"] == (V1_ID if i % 2 else V2_ID)
        assert row["price"] == expected["price"]
        assert row["quantity"] == expected.get("quantity", 1)  # v1 gets the v2 default
        assert row["broker"] == expected.get("broker")
        assert row["operation"] == expected["operation"]
        assert row["event_date"] == dt.date(2026, 11, 28)
        assert (row["_source"], row["_source_partition"], row["_source_offset"]) == ("kafka", "0", str(i))
    quarantine = spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades_quarantine"))
    assert quarantine.count() == 0


def test_each_kind_of_bad_record_is_quarantined_with_its_reason(spark: SparkSession, tmp_lake: str, registry: RegistryStub) -> None:
    ensure_bronze_tables(spark, tmp_lake, TRADE_V2)
    bad = bad_frames()
    raws = [frame(trade(1, 2), V2_ID)] + [raw for raw, _ in bad.values()]
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


def test_a_replayed_batch_is_not_written_twice(spark: SparkSession, tmp_lake: str, registry: RegistryStub) -> None:
    ensure_bronze_tables(spark, tmp_lake, TRADE_V2)
    sink = BronzeSink(tmp_lake, TRADE_V2, registry.url, app_id="replay-test")
    batch = frames_df(spark, good_frames() + [b"\x05bad"])
    trades = table_path(tmp_lake, "bronze", "trades")
    quarantine = table_path(tmp_lake, "bronze", "trades_quarantine")

    sink(batch, 7)
    sink(batch, 7)  # the same batch id again, as after a crash between the Delta commit and the checkpoint
    assert spark.read.format("delta").load(trades).count() == 20
    assert spark.read.format("delta").load(quarantine).count() == 1

    sink(frames_df(spark, good_frames(), first_offset=100), 8)
    assert spark.read.format("delta").load(trades).count() == 40

    # another query (a reset checkpoint gets a new query id) starting again from batch 0 still writes
    BronzeSink(tmp_lake, TRADE_V2, registry.url, app_id="another-query")(frames_df(spark, good_frames(), 200), 0)
    assert spark.read.format("delta").load(trades).count() == 60


def test_each_writer_schema_is_fetched_once_per_python_worker(spark: SparkSession, tmp_lake: str, registry: RegistryStub) -> None:
    ensure_bronze_tables(spark, tmp_lake, TRADE_V2)
    sink = BronzeSink(tmp_lake, TRADE_V2, registry.url, app_id="cache-test")
    for batch_id in range(4):
        sink(frames_df(spark, good_frames(), first_offset=batch_id * 100).repartition(2), batch_id)
    assert spark.read.format("delta").load(table_path(tmp_lake, "bronze", "trades")).count() == 80
    # local[2] reuses at most two Python workers; each asks the registry once per id, not once per batch
    assert 1 <= registry.id_requests(V1_ID) <= 2
    assert 1 <= registry.id_requests(V2_ID) <= 2


def test_bronze_tables_checkpoint_their_log_every_100_commits(spark: SparkSession, tmp_lake: str) -> None:
    from delta.tables import DeltaTable

    for path in ensure_bronze_tables(spark, tmp_lake, TRADE_V2):
        detail = DeltaTable.forPath(spark, path).detail().first()
        assert detail is not None
        properties = detail["properties"]
        assert properties["delta.checkpointInterval"] == "100"
        assert properties["delta.enableChangeDataFeed"] == "true"
