"""AWS Glue batch job (and `streamsoft jobs gold`): silver -> gold.ohlcv_1m, exchange_activity_hourly,
trader_leaderboard_daily, price_alerts and pipeline_health_hourly, recomputing only the keys that the
rows new since the last run touch.

Arguments: --lake-path, --checkpoint-path, optional --JOB_NAME (Glue passes it), --alert-threshold-pct (default 1.0),
--vacuum (default true: VACUUM the gold tables after a run that wrote; this job is their only writer), --continuous
(default false: run as long-running queries with a processing-time trigger of --trigger-seconds, default
5, VACUUMing every --vacuum-every-minutes, default 60; streamsoft_jobs/refine.py).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Sequence

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.compaction import GOLD_TABLES, run_compaction
from streamsoft_jobs.gold_job import alert_threshold_from_args, run_gold
from streamsoft_jobs.refine import RefineConfig, run_until_stopped
from streamsoft_jobs.refine_trigger import RefineTrigger
from streamsoft_jobs.runtime import BATCH_CONF, configure_logging, failure_line, spark_session

log = logging.getLogger("gold_batch")


def main(argv: Sequence[str]) -> int:
    configure_logging()
    try:
        args = parse_job_args(argv, required=["lake-path", "checkpoint-path"])
        threshold = alert_threshold_from_args(args)
        vacuum = args.get_bool("vacuum", True)
        trigger = RefineTrigger.from_args(args)
        vacuum_minutes = RefineConfig.vacuum_minutes(args)
    except JobArgumentError as error:
        log.error("%s", error)
        return 2
    spark = spark_session(args.get("JOB_NAME") or "streamsoft-gold", BATCH_CONF)
    if trigger.continuous:
        config = RefineConfig(
            lake_path=args.require("lake-path"),
            layers=("gold",),
            gold_checkpoint=args.require("checkpoint-path"),
            trigger=trigger,
            alert_threshold_pct=threshold,
            vacuum_every_minutes=vacuum_minutes if vacuum else 0,
        )
        return run_until_stopped(spark, config)
    try:
        summary = run_gold(spark, args.require("lake-path"), args.require("checkpoint-path"), threshold)
        # Only after a run that wrote: VACUUM commits to each table's log, and a run with no new input
        # must leave the tables exactly as they were (same versions).
        if vacuum and any(summary.batches.values()):
            run_compaction(spark, args.require("lake-path"), tables=(), vacuum_tables=GOLD_TABLES)
    except Exception as error:  # one line on why; Spark logged the stack
        log.error("gold job failed: %s", failure_line(error))
        return 1
    print(json.dumps({"job": "gold", "batches": summary.batches, "rows_in": summary.rows_in}))
    log.info("gold job done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
