"""Benchmark of the silver and gold batch jobs on local Spark: a full run over 1M and 5M bronze rows
(generated straight into bronze.trades), then the cost of an incremental run adding 100k rows to each.

Run with the project's virtualenv:  .tools/venv/bin/python bench/silver_gold.py [--sizes 1000000,5000000]
Prints one JSON object on stdout. Goal (issue 6): incremental cost on 5M / on 1M <= 1.3.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "glue-streaming"))
os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "glue-streaming"), os.environ.get("PYTHONPATH", "")])
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from streamsoft_jobs.bronze_tables import bronze_trades_schema  # noqa: E402
from streamsoft_jobs.gold_job import run_gold  # noqa: E402
from streamsoft_jobs.lake import ensure_table, table_path  # noqa: E402
from streamsoft_jobs.reference import EXCHANGES  # noqa: E402
from streamsoft_jobs.runtime import LOCAL_CONF, spark_session  # noqa: E402
from streamsoft_jobs.silver_job import run_silver  # noqa: E402

# bronze.trades as the bronze job writes it with the latest Trade schema as the reader schema.
# The newest Trade schema in schemas/ (file names sort by version within one digit count: compare numbers).
LATEST_TRADE_SCHEMA = max((REPO_ROOT / "schemas").glob("trade-v*.avsc"), key=lambda p: int(p.stem.split("-v")[1]))
BRONZE_TRADES_SCHEMA = bronze_trades_schema(json.loads(LATEST_TRADE_SCHEMA.read_text(encoding="utf-8")))
ROWS_PER_DAY = 200_000
INCREMENT = 100_000
SYMBOLS_PER_EXCHANGE = 4
TRADERS = 500
FIRST_DAY_EPOCH_S = 1_767_225_600  # 2026-01-01T00:00:00Z


def session(driver_memory: str) -> SparkSession:
    jars = sorted(glob.glob(str(REPO_ROOT / ".tools" / "jars" / "spark" / "*.jar")))
    spark = spark_session(
        "bench-silver-gold",
        {
            **LOCAL_CONF,
            "spark.jars": ",".join(jars),
            "spark.driver.memory": driver_memory,
            # the benchmark's own setting since it was written: its recorded results were measured with 4
            "spark.sql.shuffle.partitions": "4",
        },
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def bronze_rows(spark: SparkSession, first_id: int, count: int) -> DataFrame:
    """`count` bronze rows, ids first_id.., ROWS_PER_DAY per day in id order. Every 100th row resends the
    trade 50 ids earlier (a duplicate); every 200th trade has quantity 0 (rejected)."""
    exchanges = list(EXCHANGES.values())
    codes = F.array(*[F.lit(e.code) for e in exchanges])
    currencies = F.array(*[F.lit(e.currency) for e in exchanges])
    row_id = F.col("id")
    trade_no = F.when(row_id % 100 == 99, row_id - 50).otherwise(row_id)
    exchange_ix = (F.abs(F.hash(trade_no)) % len(exchanges)).cast("int")
    seconds = F.lit(FIRST_DAY_EPOCH_S) + (trade_no / ROWS_PER_DAY * 86_400).cast("long")
    timestamp = F.timestamp_seconds(seconds + (trade_no % 1000) / 1000)
    return (
        spark.range(first_id, first_id + count, numPartitions=4)
        .select(
            F.format_string("%08x-0000-4000-8000-%012x", (trade_no % 4_000_000_000).cast("long"), trade_no).alias(
                "operation_id"
            ),
            F.concat(F.lit("Trader "), (F.abs(F.hash(trade_no, F.lit(7))) % TRADERS).cast("string")).alias(
                "person_name"
            ),
            F.concat(
                F.lit("S"), exchange_ix.cast("string"), F.lit("X"), (trade_no % SYMBOLS_PER_EXCHANGE).cast("string")
            ).alias("symbol"),
            timestamp.alias("timestamp"),
            codes[exchange_ix].alias("exchange"),
            currencies[exchange_ix].alias("currency"),
            (F.lit(50) + (F.abs(F.hash(trade_no, F.lit(3))) % 100_000) / 1000).cast("decimal(18,4)").alias("price"),
            F.when(trade_no % 200 == 7, F.lit(0)).otherwise(1 + trade_no % 500).cast("long").alias("quantity"),
            F.when(trade_no % 2 == 0, "purchase").otherwise("sale").alias("operation"),
            F.lit(None).cast("string").alias("broker"),
            F.lit(2).alias("_schema_id"),
            F.lit("kinesis").alias("_source"),
            F.concat(F.lit("shardId-"), (row_id % 4).cast("string")).alias("_source_partition"),
            row_id.cast("string").alias("_source_offset"),
            (
                timestamp
                + F.expr("INTERVAL 1 SECOND")
                + F.when(row_id % 100 == 99, F.expr("INTERVAL 1 MINUTE")).otherwise(F.expr("INTERVAL 0 SECOND"))
            ).alias("_arrival_at"),
            (
                timestamp
                + F.expr("INTERVAL 2 SECONDS")
                + F.when(row_id % 100 == 99, F.expr("INTERVAL 1 MINUTE")).otherwise(F.expr("INTERVAL 0 SECOND"))
            ).alias("_ingested_at"),
        )
        .withColumn("event_date", F.to_date("timestamp"))
        .select(*[field.name for field in BRONZE_TRADES_SCHEMA.fields])
    )


def append_bronze(spark: SparkSession, lake: str, first_id: int, count: int) -> None:
    path = table_path(lake, "bronze", "trades")
    ensure_table(spark, path, BRONZE_TRADES_SCHEMA, partition_by=["event_date"])
    bronze_rows(spark, first_id, count).write.format("delta").mode("append").partitionBy("event_date").save(path)


def _jvm_cpu_seconds(spark: SparkSession) -> float:
    """CPU time of the local Spark JVM (driver and executor threads), from /proc; 0 where unavailable."""
    try:
        # _gateway is Optional in pyspark's annotations (None before a JVM is launched); a live session has one
        pid = spark.sparkContext._gateway.proc.pid  # type: ignore[union-attr]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (AttributeError, OSError, IndexError, ValueError):
        return 0.0


def timed(spark: SparkSession, action: Any) -> tuple[dict[str, float], Any]:
    """Wall seconds and CPU seconds (JVM + this Python process): CPU time stays meaningful when other work
    shares the machine, wall time only on an idle one."""
    wall, cpu = time.perf_counter(), _jvm_cpu_seconds(spark) + time.process_time()
    result = action()
    cost = {
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(_jvm_cpu_seconds(spark) + time.process_time() - cpu, 2),
    }
    return cost, result


def _sum(*costs: dict[str, float]) -> dict[str, float]:
    return {key: round(sum(cost[key] for cost in costs), 2) for key in ("wall_s", "cpu_s")}


def measure(spark: SparkSession, size: int, increment: int, workdir: Path) -> dict[str, Any]:
    lake, silver_cp, gold_cp = str(workdir / "lake"), str(workdir / "cp" / "silver"), str(workdir / "cp" / "gold")
    generate, _ = timed(spark, lambda: append_bronze(spark, lake, 0, size))
    silver, silver_run = timed(spark, lambda: run_silver(spark, lake, silver_cp))
    gold, _ = timed(spark, lambda: run_gold(spark, lake, gold_cp))
    append_bronze(spark, lake, size, increment)
    inc_silver, inc_run = timed(spark, lambda: run_silver(spark, lake, silver_cp))
    inc_gold, _ = timed(spark, lambda: run_gold(spark, lake, gold_cp))
    return {
        "bronze_rows": size,
        "generate_bronze": generate,
        "full": {
            "silver": silver,
            "gold": gold,
            "total": _sum(silver, gold),
            "trades": silver_run.total("trades"),
            "duplicates": silver_run.total("duplicates"),
            "rejected": silver_run.total("rejected"),
        },
        "incremental": {
            "rows": increment,
            "silver": inc_silver,
            "gold": inc_gold,
            "total": _sum(inc_silver, inc_gold),
            "trades": inc_run.total("trades"),
        },
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000000,5000000", help="bronze table sizes, comma-separated")
    parser.add_argument("--increment", type=int, default=INCREMENT, help="rows added for the incremental run")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--workdir", default=None, help="where the lakes go (default: a temp dir, removed after)")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    spark = session(options.driver_memory)
    root = Path(options.workdir or tempfile.mkdtemp(prefix="bench-silver-gold-"))
    results = []
    try:
        for size in sizes:
            results.append(measure(spark, size, options.increment, root / f"n{size}"))
            print(json.dumps(results[-1]), file=sys.stderr)
            shutil.rmtree(root / f"n{size}", ignore_errors=True)
    finally:
        if options.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    report: dict[str, Any] = {
        "benchmark": "silver_gold",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "spark_master": "local[2]"},
        "rows_per_day": ROWS_PER_DAY,
        "increment_rows": options.increment,
        "runs": results,
    }
    if len(results) >= 2:
        first, last = results[0]["incremental"]["total"], results[-1]["incremental"]["total"]
        report["incremental_cost_ratio"] = {
            key: round(last[key] / first[key], 3) if first[key] else None for key in ("wall_s", "cpu_s")
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
