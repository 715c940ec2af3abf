"""The lake's tables, read from `lake_tables.json`: the one definition shared with the Glue catalog (infra),
compaction, `up`, the DuckDB views and the tests. The JSON ships inside the package zip, so the jobs read
it on Glue the same way as locally (`importlib.resources` reads from a zip on `sys.path`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class LakeTable:
    layer: str
    table: str
    writer: str
    description: str

    @property
    def name(self) -> str:
        """`layer.table`, as the catalog, Athena and DuckDB name it."""
        return f"{self.layer}.{self.table}"


def _load() -> tuple[LakeTable, ...]:
    text = resources.files(__package__).joinpath("lake_tables.json").read_text(encoding="utf-8")
    layers = json.loads(text)["layers"]
    return tuple(
        LakeTable(layer, table, spec["writer"], spec["description"])
        for layer, tables in layers.items()
        for table, spec in tables.items()
    )


LAKE_TABLES: tuple[LakeTable, ...] = _load()
LAYERS: tuple[str, ...] = tuple(dict.fromkeys(t.layer for t in LAKE_TABLES))
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in LAKE_TABLES)


def written_by(job: str) -> tuple[str, ...]:
    """`layer.table` names of the tables `job` writes (`bronze`, `silver` or `gold`)."""
    return tuple(t.name for t in LAKE_TABLES if t.writer == job)
