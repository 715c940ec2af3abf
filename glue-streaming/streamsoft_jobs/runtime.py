"""The Spark session every job uses: the one Glue (or the local launcher) already configured, plus Delta.

Jars and cluster settings come from outside (Glue's `--datalake-formats delta`, or the local launcher's
`spark-submit --jars ... --conf ...`); this module only makes sure the Delta SQL extension and catalog
are requested and that timestamps are handled in UTC.
"""

from __future__ import annotations

import logging
from typing import Mapping

from pyspark.sql import SparkSession

DELTA_CONF: Mapping[str, str] = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}

SESSION_CONF: Mapping[str, str] = {
    "spark.sql.session.timeZone": "UTC",
}

# The silver and gold jobs: each run MERGEs a few small files into every table it touches. Delta's auto
# compaction rewrites a partition's small files after the commit that leaves 50 or more of them, inside
# the same job, so the MERGEd tables never meet a concurrent compaction. (The bronze stream cannot afford
# that pause in its micro-batches: the compact job covers bronze, see compaction.py.)
BATCH_CONF: Mapping[str, str] = {
    "spark.databricks.delta.autoCompact.enabled": "true",
}


def spark_session(app_name: str, extra_conf: Mapping[str, str] | None = None) -> SparkSession:
    """Returns the active session (creating it if needed) with Delta and UTC set."""
    builder = SparkSession.builder.appName(app_name)
    for key, value in {**DELTA_CONF, **SESSION_CONF, **(extra_conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    # getOrCreate ignores builder settings on an existing session; runtime settings can still be applied.
    for key, value in {**SESSION_CONF, **(extra_conf or {})}.items():
        if not key.startswith("spark.sql.extensions") and not key.startswith("spark.sql.catalog"):
            try:
                spark.conf.set(key, value)
            except Exception:  # static settings of a running session cannot change; keep the session's
                logging.getLogger(__name__).debug("could not set %s on a running session", key)
    return spark


def configure_logging(level: int = logging.INFO) -> None:
    """One log format for the job scripts (stderr; Glue ships it to CloudWatch)."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("py4j").setLevel(logging.WARNING)
