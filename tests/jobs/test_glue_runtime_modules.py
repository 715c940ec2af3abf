"""Every module the Glue jobs import is one that Glue 6.0 provides or that the staged wheels supply.

Glue workers run in subnets with no route to PyPI, and the jobs install their extra packages with
`--python-modules-installer-option --no-index` (infra/constructs/glue-job-definition.ts): a module that neither the
runtime nor requirements-glue.txt provides fails the job at its first import, on AWS only.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from glue_runtime import GLUE_RUNTIME_MODULES, GLUE_STREAMING, importable_on_glue, staged_wheel_modules


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
    available = importable_on_glue()
    assert {"fastavro", "requests"} <= staged_wheel_modules()
    assert len(job_sources()) > 10
    assert unavailable_imports(job_sources(), available) == {}


def test_an_import_nobody_supplies_is_named_with_its_file(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text("import json\nimport yaml\nfrom fastavro import reader\nfrom . import sibling\n")
    available = GLUE_RUNTIME_MODULES | staged_wheel_modules()
    assert unavailable_imports([script], available) == {"job.py": {"yaml"}}
