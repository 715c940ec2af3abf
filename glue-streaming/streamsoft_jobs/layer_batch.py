"""The entry point silver_batch.py and gold_batch.py share: one layer's job, run once as a batch (then VACUUM
of the layer's tables after a run that wrote) or, with --continuous, as long-running queries (refine.py).

The scripts keep only what differs between the layers: their own arguments (into the RefineConfig both
modes read) and the batch run with its summary line.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping, Sequence

from pyspark.sql import SparkSession

from streamsoft_jobs.args import JobArgs, JobArgumentError, parse_job_args
from streamsoft_jobs.compaction import run_compaction
from streamsoft_jobs.lake_tables import written_by
from streamsoft_jobs.refine import RefineConfig, run_until_stopped
from streamsoft_jobs.refine_trigger import RefineTrigger
from streamsoft_jobs.runtime import BATCH_CONF, configure_logging, failure_line, spark_session


@dataclass(frozen=True)
class LayerRun:
    """What one batch run of a layer did: whether it wrote anything, and its summary line's fields."""

    wrote: bool
    summary: Mapping[str, Any]


def layer_batch_main(
    argv: Sequence[str],
    layer: Literal["silver", "gold"],
    layer_config: Callable[[JobArgs, RefineConfig], RefineConfig],
    run_once: Callable[[SparkSession, RefineConfig], LayerRun],
) -> int:
    """Runs `layer`'s job (`silver` or `gold`) with arguments --lake-path, --checkpoint-path, --vacuum,
    --continuous and its triggers, plus the layer's own (`layer_config` reads them into the config).

    Exit status 2 on a bad argument, 1 when the run fails (one log line), 0 after printing the run's
    summary as `{"job": layer, …}` on one line.
    """
    configure_logging()
    log = logging.getLogger(f"{layer}_batch")
    try:
        args = parse_job_args(argv, required=["lake-path", "checkpoint-path"])
        checkpoint = args.require("checkpoint-path")
        config = layer_config(
            args,
            RefineConfig(
                lake_path=args.require("lake-path"),
                layers=(layer,),
                silver_checkpoint=checkpoint if layer == "silver" else "",
                gold_checkpoint=checkpoint if layer == "gold" else "",
            ),
        )
        vacuum = args.get_bool("vacuum", True)
        trigger = RefineTrigger.from_args(args)
        vacuum_minutes = RefineConfig.vacuum_minutes(args)
    except JobArgumentError as error:
        log.error("%s", error)
        return 2
    config = dataclasses.replace(config, trigger=trigger, vacuum_every_minutes=vacuum_minutes if vacuum else 0)
    spark = spark_session(args.get("JOB_NAME") or f"streamsoft-{layer}", BATCH_CONF)
    if trigger.continuous:
        return run_until_stopped(spark, config)
    try:
        run = run_once(spark, config)
        # Only after a run that wrote: VACUUM commits to each table's log, and a run with no new input
        # must leave the tables exactly as they were (same versions).
        if vacuum and run.wrote:
            run_compaction(spark, config.lake_path, tables=(), vacuum_tables=written_by(layer))
    except Exception as error:  # one line on why; Spark logged the stack
        log.error("%s job failed: %s", layer, failure_line(error))
        return 1
    print(json.dumps({"job": layer, **run.summary}))
    log.info("%s job done", layer)
    return 0
