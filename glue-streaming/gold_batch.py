"""AWS Glue batch job (and `streamsoft jobs gold`): silver -> gold.ohlcv_1m, exchange_activity_hourly,
trader_leaderboard_daily, price_alerts and pipeline_health_hourly, recomputing only the keys that the
rows new since the last run touch.

Arguments: --lake-path, --checkpoint-path, optional --JOB_NAME (Glue passes it), --alert-threshold-pct (default 1.0),
--vacuum (default true: VACUUM the gold tables after a run that wrote; this job is their only writer), --continuous
(default false: run as long-running queries with a processing-time trigger of --trigger-seconds, default
5, VACUUMing every --vacuum-every-minutes, default 60; streamsoft_jobs/refine.py).
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Sequence

from pyspark.sql import SparkSession

from streamsoft_jobs.args import JobArgs
from streamsoft_jobs.gold_job import alert_threshold_from_args, run_gold
from streamsoft_jobs.layer_batch import LayerRun, layer_batch_main
from streamsoft_jobs.refine import RefineConfig


def gold_config(args: JobArgs, config: RefineConfig) -> RefineConfig:
    return dataclasses.replace(config, alert_threshold_pct=alert_threshold_from_args(args))


def run_once(spark: SparkSession, config: RefineConfig) -> LayerRun:
    summary = run_gold(spark, config.lake_path, config.gold_checkpoint, config.alert_threshold_pct)
    return LayerRun(any(summary.batches.values()), {"batches": summary.batches, "rows_in": summary.rows_in})


def main(argv: Sequence[str]) -> int:
    return layer_batch_main(argv, "gold", gold_config, run_once)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
