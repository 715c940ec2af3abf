"""One bronze driver reading Kinesis (kinesalite) and Kafka (the project's broker) at once: each source's
records land in bronze exactly once, each query resumes from its own checkpoint, and the job's own
compaction rewrites the bronze tables next to its appends. The job is configured from Glue-style
arguments, the way the synthesized Glue job passes them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession
from deltalake import DeltaTable

from apicurio_server import ApicurioRegistry
from kafka_server import KafkaBroker
from kinesalite_server import Kinesalite, put_all
from streamsoft_jobs.args import parse_job_args
from streamsoft_jobs.bronze_config import BronzeJobConfig
from streamsoft_jobs.bronze_job import run_bronze_job
from streamsoft_jobs.lake import table_path
from trade_frames import SCHEMAS, V2_ID, frame, trade


def send_to_kafka(spark: Any, kafka: KafkaBroker, topic: str, rows: list[tuple[str, bytes]]) -> None:
    (
        spark.createDataFrame(rows, "key string, value binary")
        .write.format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrap)
        .option("topic", topic)
        .save()
    )


def job_args(
    kinesalite: Kinesalite,
    kafka: KafkaBroker,
    registry: ApicurioRegistry,
    stream: str,
    lake: str,
    checkpoints: Path,
    compact_every_minutes: int,
) -> BronzeJobConfig:
    return BronzeJobConfig.from_args(
        parse_job_args(
            [
                "--JOB_NAME", "streamsoft-bronze",
                "--source", "kinesis,msk",
                "--stream-name", stream,
                "--topic", stream,
                "--kinesis-endpoint", kinesalite.endpoint,
                "--kafka-brokers", kafka.bootstrap,
                "--registry-url", registry.url,
                "--lake-path", lake,
                "--kinesis-checkpoint-path", str(checkpoints / "bronze-kinesis"),
                "--kafka-checkpoint-path", str(checkpoints / "bronze-kafka"),
                "--available-now", "true",
                "--max-records-per-trigger", "15",  # several small appends per source: something to compact
                "--compact-every-minutes", str(compact_every_minutes),
            ]
        )
    )  # fmt: skip


def coordinates(spark: Any, lake: str) -> list[tuple[str, str, str]]:
    rows = spark.read.format("delta").load(table_path(lake, "bronze", "trades")).collect()
    return [(r["_source"], r["_source_partition"], r["_source_offset"]) for r in rows]


def test_one_driver_streams_both_sources_once_and_compacts_bronze_itself(
    spark: SparkSession, tmp_lake: str, tmp_path: Path, kinesalite: Kinesalite, kafka: KafkaBroker, registry: ApicurioRegistry
) -> None:
    stream = f"trades-{uuid.uuid4().hex[:8]}"
    kinesalite.create_stream(stream, 2)
    # the real registry (Apicurio), which both queries read writer schemas from
    v2_id = registry.register(f"{stream}-value", SCHEMAS[V2_ID])
    acked = put_all(kinesalite.client(), stream, [(f"k{i}", frame(trade(i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(60)])
    send_to_kafka(spark, kafka, stream, [(f"m{i}", frame(trade(1000 + i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(40)])
    job = job_args(kinesalite, kafka, registry, stream, tmp_lake, tmp_path, compact_every_minutes=0)
    assert [(c.source, c.name) for c in job.sources] == [
        ("kinesis", "streamsoft-bronze-kinesis"),
        ("kafka", "streamsoft-bronze-kafka"),
    ]
    assert run_bronze_job(spark, job) == []  # compaction off

    first = coordinates(spark, tmp_lake)
    assert len(first) == len(set(first)) == 100
    assert {(p, o) for s, p, o in first if s == "kinesis"} == {(a["shard"], a["sequence"]) for a in acked}
    assert sum(1 for s, _, _ in first if s == "kafka") == 40
    assert (tmp_path / "bronze-kinesis" / "commits").is_dir() and (tmp_path / "bronze-kafka" / "commits").is_dir()

    # New records on both sources; the second run resumes each query from its own checkpoint and, in
    # the same driver, compacts the bronze tables (due at the job's start) next to its appends.
    more = put_all(kinesalite.client(), stream, [(f"n{i}", frame(trade(2000 + i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(20)])
    send_to_kafka(spark, kafka, stream, [(f"o{i}", frame(trade(3000 + i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(10)])
    compactions = run_bronze_job(spark, job_args(kinesalite, kafka, registry, stream, tmp_lake, tmp_path, 60))

    assert len(compactions) == 1  # once at the start; the next one is an hour away
    by_table = {result.table: result for result in compactions[0]}
    trades = by_table["bronze.trades"]
    # the trades' event day (trade_frames.EVENT_TIME) is in the past: OPTIMIZE rewrote its small files
    assert trades.optimized and trades.vacuumed and trades.partitions_optimized == 1 and trades.files_removed > 1
    assert by_table["bronze.trades_quarantine"].vacuumed

    after = coordinates(spark, tmp_lake)
    assert len(after) == len(set(after)) == 130  # nothing replayed, nothing lost, across the compaction
    assert {(p, o) for s, p, o in after if s == "kinesis"} == {(a["shard"], a["sequence"]) for a in acked + more}
    history = DeltaTable(table_path(tmp_lake, "bronze", "trades")).history()
    assert any(entry["operation"] == "OPTIMIZE" for entry in history)
