"""Runs one synthesized Glue job the way Glue 6.0 would, on local Spark (tests/jobs/test_glue_contract.py).

    python glue_runner.py --package-zip <zip> --script <script.py> [--parse-only] -- <job arguments>

- the script is the file synth staged for the job's `script_location`, run as `__main__`;
- the package comes only from the `--extra-py-files` zip synth staged (never from the checkout);
- the job's imports are limited to what Glue 6.0 provides plus the staged wheels (glue_runtime.py);
- the job's `--conf` and `--extra-jars` become Spark settings, as Glue passes them to Spark, and the Delta
  jars stand in for `--datalake-formats delta`;
- the script sees every default argument, as `--key value` pairs, like on Glue.

`--parse-only` stops where the job would start Spark: the job's own parsing and validation run, nothing
else. It prints one JSON line `{"parsed": true, "app": <app name>, "package": <where the package came from>}`.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from glue_runtime import GlueImportGuard, importable_on_glue

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

REPO_ROOT = Path(__file__).resolve().parents[2]
SPARK_JARS_DIR = REPO_ROOT / ".tools" / "jars" / "spark"


class _SparkWouldStart(Exception):
    def __init__(self, app: str) -> None:
        super().__init__(app)
        self.app = app


def _option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args[:-1]):
        if arg == name:
            return args[i + 1]
    return None


def spark_submit_args(job_args: list[str]) -> str:
    """What Glue gives Spark for this job: its --conf settings, its --extra-jars, Delta's jars."""
    jars = sorted(str(p) for p in SPARK_JARS_DIR.glob("*.jar"))
    extra = _option(job_args, "--extra-jars")
    if extra:
        jars += extra.split(",")
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.warehouse.dir": tempfile.mkdtemp(prefix="glue-runner-warehouse-"),
        # A loaded 2-core machine can take more than Spark's default 15 s to start a Python worker.
        "spark.python.authenticate.socketTimeout": "120s",
    }
    for setting in (_option(job_args, "--conf") or "").split(" --conf "):
        if setting:
            key, _, value = setting.partition("=")
            conf[key] = value
    parts = ["--master", "local[2]", "--driver-memory", "1g", "--jars", ",".join(jars)]
    for key, value in conf.items():
        parts += ["--conf", f"{key}={value}"]
    return " ".join(parts + ["pyspark-shell"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--package-zip", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--parse-only", action="store_true")
    parser.add_argument("job_args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    job_args = [a for a in options.job_args if a != "--"] if options.job_args[:1] == ["--"] else options.job_args
    package_zip = str(Path(options.package_zip).resolve())

    # Only the staged zip provides the package: no checkout folder on the path, here or in Spark's workers.
    sys.path[:] = [package_zip] + [p for p in sys.path if "glue-streaming" not in p and p not in ("", ".")]
    os.environ["PYTHONPATH"] = package_zip
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ["PYSPARK_SUBMIT_ARGS"] = spark_submit_args(job_args)
    GlueImportGuard(importable_on_glue()).install()

    import streamsoft_jobs
    import streamsoft_jobs.runtime as runtime

    package = str(Path(streamsoft_jobs.__file__).parent)
    if options.parse_only:

        def refuse_spark(app_name: str, extra_conf: Mapping[str, str] | None = None) -> SparkSession:
            raise _SparkWouldStart(app_name)

        runtime.spark_session = refuse_spark

    sys.argv = [options.script, *job_args]
    try:
        runpy.run_path(options.script, run_name="__main__")
    except _SparkWouldStart as parsed:
        print(json.dumps({"parsed": True, "app": parsed.app, "package": package}))
        return 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if options.parse_only and code == 0:
            print(json.dumps({"parsed": False, "package": package}))
            return 1
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
