"""AWS Glue batch job (and `streamsoft jobs silver`): bronze.trades -> silver.trades, deduplicated,
validated and enriched, processing only the bronze rows that arrived since the last run.

Arguments: --lake-path, --checkpoint-path; optional --JOB_NAME (Glue passes it), --future-tolerance-seconds
(default 300), --lateness-hours (default 168 = 7 days), --max-files-per-trigger, --vacuum (default true:
VACUUM the silver tables after a run that wrote; this job is their only writer, so it is the one that cleans them),
--continuous (default false: run as a long-running query with a processing-time trigger of
--trigger-seconds, default 5, VACUUMing every --vacuum-every-minutes, default 60; streamsoft_jobs/refine.py).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Sequence

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.compaction import SILVER_TABLES, run_compaction
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.refine import RefineConfig, run_until_stopped
from streamsoft_jobs.refine_trigger import RefineTrigger
from streamsoft_jobs.runtime import BATCH_CONF, configure_logging, failure_line, spark_session
from streamsoft_jobs.silver_job import run_silver

log = logging.getLogger("silver_batch")


def main(argv: Sequence[str]) -> int:
    configure_logging()
    try:
        args = parse_job_args(argv, required=["lake-path", "checkpoint-path"])
        policy = QualityPolicy.from_args(args)
        max_files = args.get("max-files-per-trigger")
        max_files_per_trigger = args.get_int("max-files-per-trigger", 0) if max_files is not None else None
        vacuum = args.get_bool("vacuum", True)
        trigger = RefineTrigger.from_args(args)
        vacuum_minutes = RefineConfig.vacuum_minutes(args)
    except JobArgumentError as error:
        log.error("%s", error)
        return 2
    spark = spark_session(args.get("JOB_NAME") or "streamsoft-silver", BATCH_CONF)
    if trigger.continuous:
        config = RefineConfig(
            lake_path=args.require("lake-path"),
            layers=("silver",),
            silver_checkpoint=args.require("checkpoint-path"),
            trigger=trigger,
            policy=policy,
            max_files_per_trigger=max_files_per_trigger,
            vacuum_every_minutes=vacuum_minutes if vacuum else 0,
        )
        return run_until_stopped(spark, config)
    try:
        summary = run_silver(
            spark,
            args.require("lake-path"),
            args.require("checkpoint-path"),
            policy,
            max_files_per_trigger=max_files_per_trigger,
        )
        # Only after a run that wrote: VACUUM commits to each table's log, and a run with no new input
        # must leave the tables exactly as they were (same versions).
        if vacuum and summary.batches:
            run_compaction(spark, args.require("lake-path"), tables=(), vacuum_tables=SILVER_TABLES)
    except Exception as error:  # one line on why; Spark logged the stack
        log.error("silver job failed: %s", failure_line(error))
        return 1
    totals = {name: summary.total(name) for name in ("bronze_rows", "trades", "rejected", "duplicates")}
    print(json.dumps({"job": "silver", "batches": len(summary.batches), **totals}))
    log.info("silver job done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
