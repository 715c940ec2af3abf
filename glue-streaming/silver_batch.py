"""AWS Glue batch job (and `streamsoft jobs silver`): bronze.trades -> silver.trades, deduplicated,
validated and enriched, processing only the bronze rows that arrived since the last run.

Arguments: --lake-path, --checkpoint-path; optional --JOB_NAME (Glue passes it), --future-tolerance-seconds
(default 300), --lateness-hours (default 168 = 7 days), --max-files-per-trigger, --vacuum (default true:
VACUUM the silver tables after a run that wrote; this job is their only writer, so it is the one that cleans them),
--continuous (default false: run as a long-running query with a processing-time trigger of
--trigger-seconds, default 5, VACUUMing every --vacuum-every-minutes, default 60; streamsoft_jobs/refine.py).
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Sequence

from pyspark.sql import SparkSession

from streamsoft_jobs.args import JobArgs
from streamsoft_jobs.layer_batch import LayerRun, layer_batch_main
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.refine import RefineConfig
from streamsoft_jobs.silver_job import run_silver


def silver_config(args: JobArgs, config: RefineConfig) -> RefineConfig:
    policy = QualityPolicy.from_args(args)
    max_files = args.get("max-files-per-trigger")
    max_files_per_trigger = args.get_int("max-files-per-trigger", 0) if max_files is not None else None
    return dataclasses.replace(config, policy=policy, max_files_per_trigger=max_files_per_trigger)


def run_once(spark: SparkSession, config: RefineConfig) -> LayerRun:
    summary = run_silver(
        spark, config.lake_path, config.silver_checkpoint, config.policy, max_files_per_trigger=config.max_files_per_trigger
    )
    totals = {name: summary.total(name) for name in ("bronze_rows", "trades", "rejected", "duplicates")}
    return LayerRun(bool(summary.batches), {"batches": len(summary.batches), **totals})


def main(argv: Sequence[str]) -> int:
    return layer_batch_main(argv, "silver", silver_config, run_once)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
