"""Every module the Glue jobs import is one that Glue 6.0 provides or that the staged wheels supply.

Glue workers run in subnets with no route to PyPI, and the jobs install their extra packages with
`--python-modules-installer-option --no-index` (infra/constructs/glue-jobs.ts): a module that neither the
runtime nor requirements-glue.txt provides fails the job at its first import, on AWS only.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

GLUE_STREAMING = Path(__file__).resolve().parents[2] / "glue-streaming"

# What a Glue 6.0 Spark job imports without installing anything:
# - pyspark and py4j: the Spark 4.1.1 runtime;
# - delta: Delta Lake's Python library, with `--datalake-formats delta`
#   (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-delta-lake.html);
# - the Python modules Glue provides out of the box; 6.0 keeps boto3 (1.42) and Arrow (18.3) per
#   https://docs.aws.amazon.com/glue/latest/dg/migrating-version-60.html#migrating-version-60-appendix-dependencies
#   and the names below are those of the provided-modules list
#   (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html#glue-modules-provided),
#   limited to the ones a job here could plausibly use.
GLUE_RUNTIME_MODULES = frozenset(
    {
        "pyspark",
        "py4j",
        "delta",
        "awsglue",
        "boto3",
        "botocore",
        "s3transfer",
        "jmespath",
        "urllib3",
        "pyarrow",
        "pandas",
        "numpy",
        "dateutil",
        "pytz",
        "six",
    }
)
# Our own package, shipped with --extra-py-files.
OWN_MODULES = frozenset({"streamsoft_jobs"})


def staged_wheel_modules() -> frozenset[str]:
    """Import names of the distributions requirements-glue.txt stages (`charset-normalizer` → `charset_normalizer`)."""
    names = set()
    for line in (GLUE_STREAMING / "requirements-glue.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line.split("==", 1)[0].strip().lower().replace("-", "_"))
    return frozenset(names)


def top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def unavailable_imports(files: list[Path], available: frozenset[str]) -> dict[str, set[str]]:
    """file name → the modules it imports that are neither stdlib nor in `available`."""
    missing: dict[str, set[str]] = {}
    for file in files:
        unknown = {m for m in top_level_imports(file) if m not in sys.stdlib_module_names and m not in available}
        if unknown:
            missing[file.name] = unknown
    return missing


def job_sources() -> list[Path]:
    """The job scripts Glue runs and the package they import (what infra zips for --extra-py-files)."""
    return sorted(GLUE_STREAMING.glob("*.py")) + sorted((GLUE_STREAMING / "streamsoft_jobs").rglob("*.py"))


def test_every_job_import_is_provided_by_glue_6_or_a_staged_wheel() -> None:
    available = GLUE_RUNTIME_MODULES | OWN_MODULES | staged_wheel_modules()
    assert {"fastavro", "requests"} <= staged_wheel_modules()
    assert len(job_sources()) > 10
    assert unavailable_imports(job_sources(), available) == {}


def test_an_import_nobody_supplies_is_named_with_its_file(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text("import json\nimport yaml\nfrom fastavro import reader\nfrom . import sibling\n")
    available = GLUE_RUNTIME_MODULES | staged_wheel_modules()
    assert unavailable_imports([script], available) == {"job.py": {"yaml"}}
