"""Glue streaming job (and local `streamsoft jobs bronze`): Kinesis and/or MSK trades → bronze Delta tables.

The only writer of the bronze tables: one streaming query per source in this driver, and the tables'
compaction (OPTIMIZE of past days, VACUUM) between its polls of the queries (streamsoft_jobs/bronze_job.py).

Arguments, the Glue way: --JOB_NAME, --source kinesis|kafka|msk or several separated by commas
(kinesis,kafka), --stream-name / --topic, --kinesis-endpoint, --region, --kafka-brokers, --kafka-auth
none|iam|tls|scram, --kafka-ca-file <pem>, --registry-url, --reader-schema registry|<path.avsc>, --lake-path, --checkpoint-path
(one source) or --kinesis-checkpoint-path / --kafka-checkpoint-path (one per source), --trigger-seconds,
--starting-position latest|earliest|<ISO time or epoch ms>, --available-now, --max-records-per-trigger,
--kinesis-reader streamsoft|aws, --max-bytes-per-shard, --kinesis-efo-consumer (with aws),
--compact-every-minutes (default 60; 0: never), --cloudwatch-namespace (publish per-batch metrics there;
none: no publishing), --cloudwatch-endpoint.
"""

from __future__ import annotations

import logging
import sys

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.bronze_config import BronzeJobConfig
from streamsoft_jobs.bronze_job import run_bronze_job
from streamsoft_jobs.runtime import STREAMING_CONF, configure_logging, failure_line, spark_session, stop_on_signals

log = logging.getLogger("bronze_streaming")


def main(argv: list[str]) -> int:
    configure_logging()
    try:
        config = BronzeJobConfig.from_args(parse_job_args(argv, required=["lake-path"]))
    except JobArgumentError as error:
        log.error("%s", error)
        return 2
    stop_requested = stop_on_signals(log)
    spark = spark_session(config.job_name, STREAMING_CONF)
    try:
        run_bronze_job(spark, config, stop_requested)
    except Exception as error:  # one line on why; Spark logged the stack
        log.error("bronze query failed: %s", failure_line(error))
        return 1
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
