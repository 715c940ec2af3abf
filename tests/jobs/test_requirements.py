"""The wheels staged for Glue (requirements-glue.txt) are the versions these tests run: the same pins as
requirements.txt where both name a package, and what the local venv has installed for the rest."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

GLUE_STREAMING = Path(__file__).resolve().parents[2] / "glue-streaming"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)$")


def pins(name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (GLUE_STREAMING / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        assert match, f"{name}: not an exact pin: {line!r}"
        found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_glue_wheels_match_the_local_pins_and_the_venv() -> None:
    glue, local = pins("requirements-glue.txt"), pins("requirements.txt")
    assert {"fastavro", "requests"} <= set(glue)
    shared = set(glue) & set(local)
    assert {p: glue[p] for p in shared} == {p: local[p] for p in shared}
    assert {p: importlib.metadata.version(p) for p in glue} == glue
