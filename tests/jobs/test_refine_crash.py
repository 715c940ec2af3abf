"""Crash test of continuous mode: refine_streaming.py runs as its own driver (under the local launcher, as
`streamsoft up` runs it), is killed with SIGKILL while gold's first micro-batch is between its MERGEs,
and is restarted on its checkpoints: silver and gold then equal what batch runs make of the same input."""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pyspark.sql import SparkSession

from conftest import JOBS_DIR, SPARK_JARS_DIR
from streamsoft_jobs.gold_job import run_gold
from streamsoft_jobs.refine import RefineConfig, RefineRunner
from streamsoft_jobs.refine_trigger import RefineTrigger
from streamsoft_jobs.silver_job import run_silver
from synthetic_bronze import write_bronze
from test_refine_continuous import first_input, second_input, tables


def refine_driver(lake: str, checkpoints: Path, log: Path) -> subprocess.Popen[bytes]:
    jars = ",".join(sorted(glob.glob(str(SPARK_JARS_DIR / "*.jar"))))
    submit = f"--master local[2] --driver-memory 1g --jars {jars} --conf spark.ui.enabled=false"
    submit += " --conf spark.sql.shuffle.partitions=2 --conf spark.sql.session.timeZone=UTC pyspark-shell"
    env = {**os.environ, "PYTHONPATH": str(JOBS_DIR), "PYSPARK_SUBMIT_ARGS": submit, "PYTHONUNBUFFERED": "1"}
    args = ["--lake-path", lake, "--silver-checkpoint-path", str(checkpoints / "silver")]
    args += ["--gold-checkpoint-path", str(checkpoints / "gold"), "--trigger-seconds", "1"]
    args += ["--rollup-trigger-seconds", "1"]
    args += ["--vacuum-every-minutes", "0"]
    command = [sys.executable, "-m", "streamsoft_jobs.local_launch", str(JOBS_DIR / "refine_streaming.py"), *args]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)


def last_batch(folder: Path) -> int:
    """The newest micro-batch id a streaming checkpoint folder (offsets/ or commits/) records, -1 if none."""
    return max((int(f.name) for f in folder.glob("*") if f.name.isdigit()), default=-1)


def test_sigkill_between_gold_merges_then_restart_gives_the_batch_tables(spark: SparkSession, tmp_path: Path) -> None:
    rows = first_input() + second_input()
    batch_lake, lake = str(tmp_path / "batch"), str(tmp_path / "continuous")
    write_bronze(spark, batch_lake, rows)
    run_silver(spark, batch_lake, str(tmp_path / "cp-batch" / "silver"))
    run_gold(spark, batch_lake, str(tmp_path / "cp-batch" / "gold"))
    expected = tables(spark, batch_lake)

    write_bronze(spark, lake, rows)
    checkpoints = tmp_path / "cp"
    log = tmp_path / "refine.log"
    driver = refine_driver(lake, checkpoints, log)
    first_gold_merge = Path(lake) / "gold" / "ohlcv_1m" / "_delta_log" / f"{1:020d}.json"
    gold_query = checkpoints / "gold" / "silver_trades"
    try:
        deadline = time.monotonic() + 900
        while not first_gold_merge.exists():
            assert driver.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "gold never MERGEd; " + log.read_text()[-3000:]
            time.sleep(0.05)
    finally:
        os.killpg(driver.pid, signal.SIGKILL)
        driver.wait()
    # gold's batch had written ohlcv_1m but not committed: its other MERGEs and the commit were cut off
    assert last_batch(gold_query / "offsets") > last_batch(gold_query / "commits")

    restarted = RefineRunner(
        spark,
        RefineConfig(
            lake_path=lake,
            layers=("silver", "gold"),
            silver_checkpoint=str(checkpoints / "silver"),
            gold_checkpoint=str(checkpoints / "gold"),
            trigger=RefineTrigger(continuous=True, seconds=1, rollup_seconds=1),
            vacuum_every_minutes=0,
        ),
    )
    try:
        restarted.poll()
        restarted.process_all_available()
        restarted.poll()
    finally:
        restarted.stop()
    assert tables(spark, lake) == expected
