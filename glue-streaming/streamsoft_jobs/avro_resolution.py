"""Whether data written with one Avro schema can be read with another: the specification's resolution rules.

https://avro.apache.org/docs/1.12.0/specification/#schema-resolution — checked for every branch and field up
front, so a writer the reader cannot resolve is known before any record is read (fastavro only finds out
when a record takes the unresolvable path). This is the check a registry's BACKWARD level makes between a
new version (reader) and the previous one (writer).
"""

from __future__ import annotations

from typing import Any

from .avro_types import expanded

# "the writer's schema may be promoted to the reader's"
_PROMOTIONS: dict[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}


def _kind(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    return schema if isinstance(schema, str) else str(schema["type"])


def _short_name(schema: dict[str, Any]) -> str:
    return str(schema["name"]).rsplit(".", 1)[-1]


def _names(schema: dict[str, Any]) -> set[str]:
    return {_short_name(schema), *(str(alias).rsplit(".", 1)[-1] for alias in schema.get("aliases", ()))}


def _errors(reader: Any, writer: Any, where: str) -> list[str]:
    r_kind, w_kind = _kind(reader), _kind(writer)
    if w_kind == "union":
        # every branch the writer may have written must resolve
        return [error for branch in writer for error in _errors(reader, branch, where)]
    if r_kind == "union":
        for branch in reader:
            if not _errors(branch, writer, where):
                return []
        return [f"{where}: no branch of the reader's union reads the writer's {w_kind}"]
    if r_kind != w_kind:
        if r_kind in _PROMOTIONS.get(w_kind, ()):
            return []
        return [f"{where}: the writer's {w_kind} cannot be read as {r_kind}"]
    if r_kind in ("record", "enum", "fixed") and not _names(reader) & {_short_name(writer)}:
        return [f"{where}: the writer's {r_kind} {_short_name(writer)} is not the reader's {_short_name(reader)}"]
    if r_kind == "record":
        written = {field["name"]: field for field in writer["fields"]}
        errors: list[str] = []
        for field in reader["fields"]:
            name = f"{where}.{field['name']}" if where else field["name"]
            match = next((written[n] for n in (field["name"], *field.get("aliases", ())) if n in written), None)
            if match is not None:
                errors.extend(_errors(field["type"], match["type"], name))
            elif "default" not in field:
                errors.append(f"{name}: missing from the writer's schema and has no default")
        return errors
    if r_kind == "enum":
        unknown = [symbol for symbol in writer["symbols"] if symbol not in reader["symbols"]]
        if unknown and "default" not in reader:
            return [f"{where}: symbols {', '.join(unknown)} are not in the reader's enum, which has no default"]
        return []
    if r_kind == "fixed" and reader["size"] != writer["size"]:
        return [f"{where}: fixed size {writer['size']} cannot be read as size {reader['size']}"]
    if r_kind == "array":
        return _errors(reader["items"], writer["items"], f"{where}[]")
    if r_kind == "map":
        return _errors(reader["values"], writer["values"], f"{where}{{}}")
    return []


def resolution_errors(reader: Any, writer: Any) -> list[str]:
    """Why data written with `writer` cannot be read with `reader` (each naming the field), or [] if it can."""
    return _errors(expanded(reader), expanded(writer), "")
