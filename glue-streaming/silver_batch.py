"""AWS Glue batch job (and `streamsoft jobs silver`): bronze.trades -> silver.trades, deduplicated,
validated and enriched, processing only the bronze rows that arrived since the last run.

Arguments: --lake-path, --checkpoint-path; optional --JOB_NAME (Glue passes it), --future-tolerance-seconds
(default 300), --lateness-hours (default 168 = 7 days), --max-files-per-trigger, --vacuum (default true:
VACUUM the silver tables after the run; this job is their only writer, so it is the one that cleans them).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import timedelta
from typing import Sequence

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.compaction import SILVER_TABLES, run_compaction
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.runtime import BATCH_CONF, configure_logging, failure_line, spark_session
from streamsoft_jobs.silver_job import run_silver

log = logging.getLogger("silver_batch")


def main(argv: Sequence[str]) -> int:
    configure_logging()
    try:
        args = parse_job_args(argv, required=["lake-path", "checkpoint-path"])
        policy = QualityPolicy(
            future_tolerance=timedelta(seconds=args.get_int("future-tolerance-seconds", 300)),
            lateness_window=timedelta(hours=args.get_int("lateness-hours", 168)),
        )
        max_files = args.get("max-files-per-trigger")
        max_files_per_trigger = args.get_int("max-files-per-trigger", 0) if max_files is not None else None
        vacuum = args.get_bool("vacuum", True)
    except JobArgumentError as error:
        log.error("%s", error)
        return 2
    spark = spark_session(args.get("JOB_NAME") or "streamsoft-silver", BATCH_CONF)
    try:
        summary = run_silver(
            spark,
            args.require("lake-path"),
            args.require("checkpoint-path"),
            policy,
            max_files_per_trigger=max_files_per_trigger,
        )
        if vacuum:
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
