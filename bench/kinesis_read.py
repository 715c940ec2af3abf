"""How the Kinesis source's read scales with shards and cores, against kinesalite, as JSON.

For 1 shard on local[1] and 8 shards on local[1] and local[2]: `--records` 100-byte records already in a
fresh stream, then a streaming query of the `streamsoft-kinesis` source into Spark's `noop` sink drains
them (processAllAvailable), each configuration in its own Spark process. A first query over a small stream
with as many shards warms the JVM and the Python workers up; the figure is the data batch's own duration
(Spark's `triggerExecution`: planning, the read on the executors, the sink), and `query_records_per_s`
counts from the query's start (with its first-batch costs). In the same run, kinesalite's own GetRecords
ceiling: plain boto3 reads of the 8-shard stream, one process per shard, no Spark. The figures of merit:
8 shards on 2 cores vs 1 shard on 1 core,
and 8 shards on 2 cores vs the ceiling.

Run: .tools/venv/bin/python bench/kinesis_read.py [--records 40000]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT / "glue-streaming"), str(REPO_ROOT / "tests" / "jobs")]

from kinesalite_server import Kinesalite, put_all  # noqa: E402
from streamsoft_jobs.kinesis_shard_reader import KinesisShardReader  # noqa: E402


def fill(kinesalite: Kinesalite, shards: int, records: int) -> str:
    stream = f"bench-{shards}-{uuid.uuid4().hex[:6]}"
    kinesalite.create_stream(stream, shards)
    client = kinesalite.client()
    payload = os.urandom(100)
    put_all(client, stream, [(f"key-{i}", payload) for i in range(records)])
    return stream


def drain_shard(endpoint: str, stream: str, shard: str) -> int:
    from streamsoft_jobs.kinesis_api import kinesis_client

    reader = KinesisShardReader(kinesis_client(endpoint, "us-east-1"), stream, max_records=10**9)
    return len(reader.read(shard, {"from": "TRIM_HORIZON"}))


def ceiling(kinesalite: Kinesalite, stream: str) -> dict[str, Any]:
    """One process per shard (not threads: boto3's parsing holds the GIL), as many as Spark's tasks."""
    client = kinesalite.client()
    shards = [s["ShardId"] for s in client.list_shards(StreamName=stream)["Shards"]]
    started = time.monotonic()
    with ProcessPoolExecutor(len(shards)) as pool:
        total = sum(pool.map(drain_shard, [kinesalite.endpoint] * len(shards), [stream] * len(shards), shards))
    seconds = time.monotonic() - started
    return {"records": total, "seconds": round(seconds, 2), "records_per_s": round(total / seconds)}


def spark_drain(master: str, kinesalite: Kinesalite, warmup: str, stream: str) -> dict[str, Any]:
    """Runs this script's --child mode in a fresh Python process: one Spark session per configuration."""
    run = subprocess.run(
        [sys.executable, __file__, "--child", master, kinesalite.endpoint, warmup, stream],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "glue-streaming"), "PYSPARK_PYTHON": sys.executable},
        check=False,
    )
    if run.returncode != 0:
        kinesalite._check_running()  # names kinesalite's own failure, if that was it
        raise RuntimeError(f"spark drain on {master} failed:\n{run.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def drain(spark: Any, endpoint: str, stream: str, tmp: str) -> dict[str, Any]:
    from streamsoft_jobs.kinesis_source import KinesisDataSource

    frames = (
        spark.readStream.format(KinesisDataSource.name())
        .option("streamName", stream)
        .option("endpointUrl", endpoint)
        .option("metadataPath", f"{tmp}/{stream}/ends")
        .option("startingPosition", "TRIM_HORIZON")
        .load()
    )
    started = time.monotonic()
    query = frames.writeStream.format("noop").option("checkpointLocation", f"{tmp}/{stream}/checkpoint").start()
    query.processAllAvailable()
    seconds = time.monotonic() - started
    loaded = [p for p in query.recentProgress if p["numInputRows"] > 0]
    query.stop()
    rows = sum(p["numInputRows"] for p in loaded)
    batch_s = sum(p["durationMs"]["triggerExecution"] for p in loaded) / 1000
    return {
        "records": rows,
        "batches": len(loaded),
        "batch_seconds": round(batch_s, 2),
        "records_per_s": round(rows / batch_s) if batch_s else None,
        "query_seconds": round(seconds, 2),
        "query_records_per_s": round(rows / seconds),
    }


def child(master: str, endpoint: str, warmup: str, stream: str) -> None:
    from pyspark.sql import SparkSession

    from streamsoft_jobs.kinesis_source import KinesisDataSource

    jars = sorted(glob.glob(str(REPO_ROOT / ".tools" / "jars" / "spark" / "*.jar")))
    spark = (
        SparkSession.builder.master(master)
        .config("spark.jars", ",".join(jars))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.dataSource.register(KinesisDataSource)
    with tempfile.TemporaryDirectory() as tmp:
        drain(spark, endpoint, warmup, tmp)
        result = drain(spark, endpoint, stream, tmp)
    spark.stop()
    print(json.dumps(result))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=40000)
    args = parser.parse_args()
    kinesalite = Kinesalite()
    try:
        one = fill(kinesalite, 1, args.records)
        eight = fill(kinesalite, 8, args.records)
        warm = {shards: fill(kinesalite, shards, 80) for shards in (1, 8)}
        result: dict[str, Any] = {
            "bench": "kinesis_read",
            "records": args.records,
            "machine": {"cpus": os.cpu_count()},
            "kinesalite_ceiling_8_shards": ceiling(kinesalite, eight),
            "shards_1_local_1": spark_drain("local[1]", kinesalite, warm[1], one),
            "shards_8_local_1": spark_drain("local[1]", kinesalite, warm[8], eight),
            "shards_8_local_2": spark_drain("local[2]", kinesalite, warm[8], eight),
        }
        base = result["shards_1_local_1"]["records_per_s"]
        top = result["shards_8_local_2"]["records_per_s"]
        result["ratio_8_shards_2_cores_to_1_shard_1_core"] = round(top / base, 2)
        result["ratio_8_shards_2_cores_to_ceiling"] = round(top / result["kinesalite_ceiling_8_shards"]["records_per_s"], 2)
        result["load_average_1m"] = os.getloadavg()[0]
        print(json.dumps(result, indent=2))
    finally:
        kinesalite.stop()


if __name__ == "__main__":
    main()
