"""Schema evolution while bronze runs, on real local Spark + Delta with the real registry (Apicurio): v2
flows, v3 is registered and produced, the reader schema follows at the batch boundary and bronze.trades
gains `venue` (old rows null), a crash in the switching batch replays it with the same reader schema and
writes nothing twice, a writer registered under NONE goes to quarantine, and a change Delta cannot add
stops the batch."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import uuid
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable as IndependentDeltaTable
from fastavro import parse_schema, schemaless_writer
from pyspark.sql import DataFrame, SparkSession

import streamsoft_jobs.bronze_sink as bronze_sink
from apicurio_server import ApicurioRegistry
from streamsoft_jobs.bronze_sink import BronzeSink, ensure_bronze_tables
from streamsoft_jobs.bronze_transforms import FRAME_SCHEMA
from streamsoft_jobs.lake import SchemaEvolutionError, table_path
from streamsoft_jobs.reader_schemas import ReaderSchema
from trade_frames import TRADE_V1, TRADE_V2, trade

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
TRADE_V3 = json.loads((FIXTURES / "trade-v3-compatible.avsc").read_text(encoding="utf-8"))
TRADE_NONE = json.loads((FIXTURES / "trade-v3-incompatible.avsc").read_text(encoding="utf-8"))
ARRIVAL = dt.datetime(2026, 11, 28, 9, 30, 1, tzinfo=dt.timezone.utc)


def evolved(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(base))
    for name, field in changes.items():
        existing = [f for f in schema["fields"] if f["name"] == name]
        if existing:
            existing[0].update(field)
        else:
            schema["fields"].append({"name": name, **field})
    return schema


# v4: v3 plus a desk (compatible); v5: quantity as a double (Avro promotes long to double, Delta cannot retype)
TRADE_V4 = evolved(TRADE_V3, desk={"type": ["null", "string"], "default": None})
TRADE_V5 = evolved(TRADE_V4, quantity={"type": "double", "default": 1.0})


def framed(values: dict[str, Any], schema: dict[str, Any], schema_id: int) -> bytes:
    body = io.BytesIO()
    schemaless_writer(body, parse_schema(schema), values)
    return b"\x00" + struct.pack(">I", schema_id) + body.getvalue()


def v3_trade(i: int) -> dict[str, Any]:
    return {**trade(i, 2), "venue": f"VENUE{i}", "operation": "short_sale" if i % 3 == 0 else "sale"}


def frames_df(spark: SparkSession, raws: list[bytes], first_offset: int) -> DataFrame:
    return spark.createDataFrame(
        [(raw, "kinesis", "shard-0", str(first_offset + i), ARRIVAL) for i, raw in enumerate(raws)], FRAME_SCHEMA
    )


def rows(spark: SparkSession, lake: str, table: str = "trades") -> list[Any]:
    return spark.read.format("delta").load(table_path(lake, "bronze", table)).collect()


def sink(lake: str, registry: ApicurioRegistry, subject: str, reader: ReaderSchema) -> BronzeSink:
    # no interval: only a new writer id makes the sink look at the registry, so each step is deterministic
    return BronzeSink(lake, reader, registry.url, app_id="bronze-evolution", subject=subject, refresh_seconds=None)


def test_a_new_compatible_version_flows_into_bronze_while_the_query_runs(
    spark: SparkSession, tmp_lake: str, registry: ApicurioRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the real registry: v1 then v2 under a subject of this test's own, so v2 is its latest version
    subject = f"trades-{uuid.uuid4().hex[:8]}-value"
    # First a schema no other test has: a fresh Apicurio numbers ids and a subject's versions both from 1,
    # and this keeps them apart, so a reader id taken for a version number (or back) shows below.
    registry.register(f"{subject}-other", {"type": "record", "name": f"Other{uuid.uuid4().hex}", "fields": []})
    v1_id = registry.register(subject, TRADE_V1)
    v2_id = registry.register(subject, TRADE_V2)
    trades_path = table_path(tmp_lake, "bronze", "trades")
    v2 = ReaderSchema(TRADE_V2, v2_id)
    ensure_bronze_tables(spark, tmp_lake, v2)
    running = sink(tmp_lake, registry, subject, v2)

    # batch 0: v1 and v2 records, reader v2
    batch0 = [framed(trade(i, 1), TRADE_V1, v1_id) if i % 2 else framed(trade(i, 2), TRADE_V2, v2_id) for i in range(10)]
    running(frames_df(spark, batch0, 0), 0)
    assert "venue" not in spark.read.format("delta").load(trades_path).columns

    # v3 is registered and produced; batch 1 holds v2 and v3 records and a writer registered under NONE
    # (the NONE writer under another subject: it has an id, but is not the subject's latest)
    v3_id = registry.register(subject, TRADE_V3)
    none_id = registry.register(f"{subject}-none", TRADE_NONE)
    none_record = framed({**trade(99, 2), "price": 1.5}, TRADE_NONE, none_id)
    batch1 = [framed(trade(100 + i, 2), TRADE_V2, v2_id) for i in range(5)] + [framed(v3_trade(200 + i), TRADE_V3, v3_id) for i in range(6)]
    batch1_frames = frames_df(spark, [*batch1, none_record], 100)

    # The process crashes in batch 1 after bronze.trades committed and before the quarantine did.
    real_append = bronze_sink.append_idempotent  # type: ignore[attr-defined]  # patched where the sink looks it up (lake's, not re-exported)

    def crash_before_quarantine(df: DataFrame, path: str, *args: Any, **kwargs: Any) -> None:
        if path.endswith("trades_quarantine"):
            raise RuntimeError("simulated crash")
        real_append(df, path, *args, **kwargs)

    monkeypatch.setattr(bronze_sink, "append_idempotent", crash_before_quarantine)
    with pytest.raises(RuntimeError, match="simulated crash"):
        running(batch1_frames, 1)
    monkeypatch.setattr(bronze_sink, "append_idempotent", real_append)

    columns = spark.read.format("delta").load(trades_path).columns
    # the new column joins after the trade fields it follows in the schema, before the bronze metadata
    assert columns.index("venue") == columns.index("broker") + 1 < columns.index("_schema_id")
    assert len(rows(spark, tmp_lake)) == 21 and rows(spark, tmp_lake, "trades_quarantine") == []

    # Meanwhile v4 became the latest. The restarted job (a new sink, same query) replays batch 1 with the
    # reader schema recorded for it (v3), so its quarantine rows are the ones the first attempt decided.
    v4_id = registry.register(subject, TRADE_V4)
    restarted = sink(tmp_lake, registry, subject, ReaderSchema(TRADE_V4, v4_id))
    restarted(batch1_frames, 1)
    by_id = {r["operation_id"]: r for r in rows(spark, tmp_lake)}
    assert len(by_id) == 21  # nothing written twice
    assert "desk" not in spark.read.format("delta").load(trades_path).columns
    [quarantined] = rows(spark, tmp_lake, "trades_quarantine")
    assert quarantined["reason"] == "incompatible_schema"
    assert quarantined["detail"].startswith(f"schema id {none_id} cannot be read as reader schema id {v3_id}: price:")
    assert bytes(quarantined["raw"]) == none_record

    for i in range(10):  # rows written before the switch read the new column as null
        assert by_id[trade(i, 1)["operation_id"]]["venue"] is None
    for i in range(5):  # v2 records decoded after the switch get venue's Avro default (null)
        row = by_id[trade(100 + i, 2)["operation_id"]]
        assert (row["venue"], row["_schema_id"], row["quantity"]) == (None, v2_id, 110 + i)
    for i in range(6):  # v3 records keep their new values, the new enum symbol included
        expected = v3_trade(200 + i)
        row = by_id[expected["operation_id"]]
        assert (row["venue"], row["operation"], row["_schema_id"]) == (expected["venue"], expected["operation"], v3_id)

    # the next batch moves to v4 (the restarted sink resumed from v3, the lake's last reader schema)
    restarted(frames_df(spark, [framed({**v3_trade(300), "desk": "D1"}, TRADE_V4, v4_id)], 300), 2)
    assert {r["operation_id"]: r["desk"] for r in rows(spark, tmp_lake)}[v3_trade(300)["operation_id"]] == "D1"

    # An independent reader sees the evolved table, old rows included.
    independent = IndependentDeltaTable(trades_path).to_pyarrow_table(columns=["operation_id", "venue", "desk"])
    assert independent.num_rows == 22
    assert independent.schema.names == ["operation_id", "venue", "desk"]

    # v5 is Avro-compatible (long -> double) but Delta would have to retype quantity: the batch stops,
    # naming the column, and writes nothing.
    v5_id = registry.register(subject, TRADE_V5)
    before = IndependentDeltaTable(trades_path).version()
    v5_batch = frames_df(spark, [framed({**v3_trade(400), "desk": None, "quantity": 2.0}, TRADE_V5, v5_id)], 400)
    with pytest.raises(SchemaEvolutionError, match="column quantity is bigint in the table but double"):
        restarted(v5_batch, 3)
    assert IndependentDeltaTable(trades_path).version() == before
