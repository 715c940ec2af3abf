"""Glue streaming job (and what `streamsoft up` runs locally): silver and gold as long-running streaming
queries in one driver, a micro-batch every --trigger-seconds (streamsoft_jobs/refine.py). The same
transforms and MERGEs as silver_batch.py and gold_batch.py, on the same checkpoints.

Arguments: --lake-path, --silver-checkpoint-path, --gold-checkpoint-path; optional --JOB_NAME (Glue passes
it), --trigger-seconds (default 5), --rollup-trigger-seconds (gold's hour/day tables and pipeline health;
default 60), --future-tolerance-seconds, --lateness-hours, --max-files-per-trigger,
--alert-threshold-pct (as the batch jobs), --vacuum-every-minutes (default 60; 0: never).
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Sequence

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.gold_job import alert_threshold_from_args
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.refine import RefineConfig, run_until_stopped
from streamsoft_jobs.refine_trigger import RefineTrigger
from streamsoft_jobs.runtime import BATCH_CONF, configure_logging, spark_session


def main(argv: Sequence[str]) -> int:
    configure_logging()
    try:
        args = parse_job_args(argv, required=["lake-path", "silver-checkpoint-path", "gold-checkpoint-path"])
        max_files = args.get("max-files-per-trigger")
        config = RefineConfig(
            lake_path=args.require("lake-path"),
            layers=("silver", "gold"),
            silver_checkpoint=args.require("silver-checkpoint-path"),
            gold_checkpoint=args.require("gold-checkpoint-path"),
            trigger=dataclasses.replace(RefineTrigger.from_args(args), continuous=True),
            policy=QualityPolicy.from_args(args),
            alert_threshold_pct=alert_threshold_from_args(args),
            max_files_per_trigger=args.get_int("max-files-per-trigger", 0) if max_files is not None else None,
            vacuum_every_minutes=RefineConfig.vacuum_minutes(args),
        )
    except JobArgumentError as error:
        print(f"refine: {error}", file=sys.stderr)
        return 2
    spark = spark_session(args.get("JOB_NAME") or "streamsoft-refine", BATCH_CONF)
    return run_until_stopped(spark, config)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
