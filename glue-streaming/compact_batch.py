"""AWS Glue batch job (and `streamsoft jobs compact`): OPTIMIZE then VACUUM the lake's Delta tables, by
default the two bronze tables the streaming job appends to every few seconds (streamsoft_jobs/compaction.py).

Arguments: --lake-path; optional --JOB_NAME (Glue passes it), --tables (comma-separated `layer.table`,
or `all`; default bronze.trades,bronze.trades_quarantine), --vacuum-tables (the same form; default
--tables; a table only listed here is vacuumed without OPTIMIZE), --before-date (YYYY-MM-DD: compact
event_date partitions before it; default today, UTC), --vacuum (default true; VACUUM keeps what each
table's delta.deletedFileRetentionDuration, 7 days by default, protects).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from dataclasses import asdict
from typing import Sequence

from streamsoft_jobs.args import JobArgs, JobArgumentError, parse_job_args
from streamsoft_jobs.compaction import DEFAULT_TABLES, parse_tables, run_compaction
from streamsoft_jobs.runtime import configure_logging, failure_line, spark_session

log = logging.getLogger("compact_batch")


def _before_date(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as error:
        raise JobArgumentError(f"--before-date: expected a date YYYY-MM-DD (got {raw!r})") from error


def _tables(args: JobArgs, name: str, default: tuple[str, ...] = DEFAULT_TABLES) -> tuple[str, ...]:
    try:
        return parse_tables(args.get(name), default)
    except ValueError as error:
        raise JobArgumentError(f"--{name}: {error}") from error


def main(argv: Sequence[str]) -> int:
    configure_logging()
    try:
        args = parse_job_args(argv, required=["lake-path"])
        tables = _tables(args, "tables")
        vacuum_tables = _tables(args, "vacuum-tables", tables)
        before = _before_date(args.get("before-date"))
        vacuum = args.get_bool("vacuum", True)
    except JobArgumentError as error:
        log.error("%s", error)
        return 2
    spark = spark_session(args.get("JOB_NAME") or "streamsoft-compact")
    try:
        results = run_compaction(spark, args.require("lake-path"), tables, before, vacuum, vacuum_tables)
    except Exception as error:  # one line on why; Spark logged the stack
        log.error("compact job failed: %s", failure_line(error))
        return 1
    print(json.dumps({"job": "compact", "tables": [asdict(result) for result in results]}))
    log.info("compact job done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
