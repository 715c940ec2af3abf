"""Compaction of the lake's Delta tables: OPTIMIZE (bin-packing small files into large ones), then VACUUM,
run by each table's own writer (the bronze job for bronze, silver and gold for theirs).

The bronze job appends a few small files per micro-batch, every few seconds, so `bronze.trades` gains
thousands of files a day; every reader (silver's stream, Athena, snapshot loading) pays for each one.

- A table partitioned by `event_date` is compacted only in days before `before` (by default today, UTC):
  the current day still receives a batch every few seconds. A late trade reopens a past day with a small
  file; the next run compacts that day again, and days already compacted are left alone by OPTIMIZE.
- OPTIMIZE commits with `dataChange=false`: Delta streaming readers (the silver job reading bronze, gold
  reading silver) skip such commits, so no row is read twice, and its snapshots hold the same rows.
- Concurrent appends (the bronze stream's other source) do not conflict with OPTIMIZE. MERGE does (silver
  and gold tables): those compact themselves as they write (runtime.BATCH_CONF) and only VACUUM here.
- VACUUM (of `vacuum_tables`, by default the compacted ones) deletes files that no table version within
  the table's `delta.deletedFileRetentionDuration` (Delta's default: 7 days) needs, and nothing younger:
  a reader that is behind (a stopped silver job, an Athena query on an old version) still finds its
  files. It commits no data change, so it is safe next to any writer. Delta 4 takes the retention from
  that table property only (a retention passed to VACUUM is ignored), so it is set per table.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Sequence

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, Row, SparkSession

from streamsoft_jobs.lake import table_path
from streamsoft_jobs.lake_tables import TABLE_NAMES, written_by

log = logging.getLogger("streamsoft.compaction")

# Each table has one writer (Delta on S3 is transactional only for writes from a single driver,
# https://docs.delta.io/latest/delta-storage.html#amazon-s3), and that writer compacts it: the bronze job
# OPTIMIZEs and VACUUMs the bronze tables between its batches, silver and gold VACUUM theirs after a run.
# The tables and their writers come from the lake-table contract (lake_tables.json).
DEFAULT_TABLES: tuple[str, ...] = written_by("bronze")
SILVER_TABLES: tuple[str, ...] = written_by("silver")
GOLD_TABLES: tuple[str, ...] = written_by("gold")
KNOWN_TABLES: tuple[str, ...] = TABLE_NAMES


def _only_row(frame: DataFrame, what: str) -> Row:
    """The one row of a Delta command's result (DESCRIBE DETAIL, OPTIMIZE)."""
    row = frame.first()
    if row is None:
        raise RuntimeError(f"{what} returned no row")
    return row


@dataclass(frozen=True)
class TableCompaction:
    table: str
    exists: bool
    files_before: int = 0
    files_after: int = 0
    optimized: bool = False
    files_removed: int = 0  # small files OPTIMIZE replaced
    files_added: int = 0  # the large files it wrote instead
    partitions_optimized: int = 0
    vacuumed: bool = False


def parse_tables(value: str | None, default: tuple[str, ...] = DEFAULT_TABLES) -> tuple[str, ...]:
    """`layer.table[,layer.table…]` or `all` → the names, each one of KNOWN_TABLES; None → `default`."""
    if value is None or value.strip() == "":
        return default
    if value.strip() == "all":
        return KNOWN_TABLES
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [name for name in names if name not in KNOWN_TABLES]
    if unknown:
        raise ValueError(f"unknown table {unknown[0]!r}; expected some of {', '.join(KNOWN_TABLES)}")
    return names


def compact_table(
    spark: SparkSession,
    lake_path: str,
    name: str,
    before: dt.date,
    optimize: bool,
    vacuum: bool,
) -> TableCompaction:
    """If `optimize`, OPTIMIZE `name` (`layer.table`) in the days before `before` if it is partitioned by
    event_date, all of it otherwise; then, if `vacuum`, VACUUM it."""
    layer, table_name = name.split(".", 1)
    path = table_path(lake_path, layer, table_name)
    if not DeltaTable.isDeltaTable(spark, path):
        log.info("%s: no table at %s yet, nothing to compact", name, path)
        return TableCompaction(table=name, exists=False)
    table = DeltaTable.forPath(spark, path)
    detail = _only_row(table.detail(), f"DESCRIBE DETAIL {name}")
    metrics = {"numFilesRemoved": 0, "numFilesAdded": 0, "partitionsOptimized": 0}
    if optimize:
        optimizer = table.optimize()
        if "event_date" in detail["partitionColumns"]:
            optimizer = optimizer.where(f"event_date < DATE'{before.isoformat()}'")
        metrics = _only_row(optimizer.executeCompaction(), f"OPTIMIZE {name}")["metrics"]
    if vacuum:
        # VACUUM lists the table in spark.sql.sources.parallelPartitionDiscovery.parallelism tasks, 10,000
        # by default: 35 s of empty tasks on a small table. A few per core list a year of days as well.
        spark.conf.set(
            "spark.sql.sources.parallelPartitionDiscovery.parallelism",
            str(max(8, 4 * spark.sparkContext.defaultParallelism)),
        )
        table.vacuum()
    result = TableCompaction(
        table=name,
        exists=True,
        optimized=optimize,
        files_before=int(detail["numFiles"]),
        files_after=int(_only_row(table.detail(), f"DESCRIBE DETAIL {name}")["numFiles"]),
        files_removed=int(metrics["numFilesRemoved"]),
        files_added=int(metrics["numFilesAdded"]),
        partitions_optimized=int(metrics["partitionsOptimized"]),
        vacuumed=vacuum,
    )
    log.info("%s: %s", name, asdict(result))
    return result


def run_compaction(
    spark: SparkSession,
    lake_path: str,
    tables: Sequence[str] = DEFAULT_TABLES,
    before: dt.date | None = None,
    vacuum: bool = True,
    vacuum_tables: Sequence[str] | None = None,
) -> list[TableCompaction]:
    """OPTIMIZE `tables`, then VACUUM `vacuum_tables` (default: `tables`; none when not `vacuum`). A table in
    `vacuum_tables` only is vacuumed without OPTIMIZE: safe next to the jobs that MERGE into it."""
    cutoff = before or dt.datetime.now(dt.timezone.utc).date()
    vacuumed = (tables if vacuum_tables is None else vacuum_tables) if vacuum else ()
    names = list(dict.fromkeys([*tables, *vacuumed]))
    return [compact_table(spark, lake_path, name, cutoff, name in tables, name in vacuumed) for name in names]
