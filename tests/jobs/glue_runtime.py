"""What a Glue 6.0 Spark job can import without installing anything, and the wheels synth stages.

Shared by the static import check (test_glue_runtime_modules.py) and the runner that executes the
synthesized jobs the way Glue would (glue_runner.py).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from pathlib import Path
from types import FrameType
from typing import Sequence

GLUE_STREAMING = Path(__file__).resolve().parents[2] / "glue-streaming"

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


def importable_on_glue() -> frozenset[str]:
    """Top-level modules a job may import on Glue, besides the standard library."""
    return GLUE_RUNTIME_MODULES | OWN_MODULES | staged_wheel_modules()


class GlueImportGuard(importlib.abc.MetaPathFinder):
    """Refuses, from job code, top-level imports that Glue 6.0 would not have.

    Only imports made by files outside the allowed packages are checked (pyspark's own optional imports
    are its business), so the guard sees what the job scripts and `streamsoft_jobs` ask for.
    """

    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: object | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        top = fullname.split(".")[0]
        if top in self.allowed or top in sys.stdlib_module_names or "." in fullname:
            return None
        caller = _importing_file()
        if caller is not None and _is_job_code(caller):
            raise ModuleNotFoundError(f"{caller} imports {top}, which Glue 6.0 neither provides nor installs")
        return None

    def install(self) -> None:
        sys.meta_path.insert(0, self)


def _importing_file() -> str | None:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith("<") and "importlib" not in name and not name.endswith("glue_runtime.py"):
            return name
        frame = frame.f_back
    return None


def _is_job_code(filename: str) -> bool:
    return "streamsoft_jobs" in filename or filename.endswith(("_streaming.py", "_batch.py"))
