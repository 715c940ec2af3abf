"""Confluent-framed Avro trades → values of the latest reader schema, or a quarantine reason.

Frame: byte 0 = 0x00 (magic), bytes 1–4 = writer schema id (big-endian), then the Avro binary body.
Pure Python over fastavro; knows nothing of Spark or of where writer schemas come from.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from fastavro import parse_schema, schemaless_reader
from fastavro.schema import to_parsing_canonical_form

from .avro_resolution import resolution_errors
from .avro_types import plain_schema

MAGIC_BYTE = 0
HEADER_BYTES = 5

# Quarantine reasons (bronze.trades_quarantine.reason).
EMPTY_PAYLOAD = "empty_payload"
BAD_MAGIC_BYTE = "bad_magic_byte"
UNKNOWN_SCHEMA_ID = "unknown_schema_id"
CORRUPT_BODY = "corrupt_body"
# the writer schema cannot be resolved into the reader schema (e.g. registered while the subject's
# compatibility level was NONE)
INCOMPATIBLE_SCHEMA = "incompatible_schema"

WriterSchemaLookup = Callable[[int], "Mapping[str, Any] | None"]

@dataclass(frozen=True)
class Decoded:
    """A decoded record (`values` set) or a quarantined one (`reason` and `detail` set)."""

    schema_id: int | None
    values: dict[str, Any] | None = None
    reason: str | None = None
    detail: str | None = None


class TradeDecoder:
    """Decodes frames written with any registered writer schema into the one reader schema.

    Values come back as plain Avro types except decimals (avro_types.plain_schema): uuids as str,
    timestamps as epoch numbers, dates as epoch days, decimals as Decimal with the schema's scale.
    """

    def __init__(
        self, reader_schema: Mapping[str, Any], writer_schema: WriterSchemaLookup, reader_name: str = "the reader schema"
    ) -> None:
        self._reader_name = reader_name
        self._reader = parse_schema(plain_schema(dict(reader_schema)))
        self._reader_form = to_parsing_canonical_form(self._reader)
        self._reader_schema = dict(reader_schema)
        self._lookup = writer_schema
        # id -> (parsed writer, reader to resolve into or None when the writer IS the reader schema, or
        # why the writer cannot be resolved into the reader)
        self._writers: dict[int, tuple[Any, Any] | str] = {}

    def _writer(self, schema_id: int) -> tuple[Any, Any] | str | None:
        resolved = self._writers.get(schema_id)
        if resolved is None:
            raw = self._lookup(schema_id)
            if raw is None:
                return None
            parsed = parse_schema(plain_schema(dict(raw)))
            # Resolution costs about half the decode time; skip it when there is nothing to resolve.
            same = to_parsing_canonical_form(parsed) == self._reader_form
            errors = [] if same else resolution_errors(self._reader_schema, dict(raw))
            if errors:
                resolved = f"schema id {schema_id} cannot be read as {self._reader_name}: {'; '.join(errors)}"[:500]
            else:
                resolved = (parsed, None if same else self._reader)
            self._writers[schema_id] = resolved
        return resolved

    def decode(self, frame: bytes | None) -> Decoded:
        if not frame:
            return Decoded(None, reason=EMPTY_PAYLOAD, detail="record has no bytes")
        if frame[0] != MAGIC_BYTE:
            return Decoded(None, reason=BAD_MAGIC_BYTE, detail=f"magic byte 0x{frame[0]:02x}, expected 0x00")
        if len(frame) < HEADER_BYTES:
            return Decoded(
                None, reason=CORRUPT_BODY, detail=f"frame of {len(frame)} bytes is shorter than its 5-byte header"
            )
        (schema_id,) = struct.unpack_from(">I", frame, 1)
        resolved = self._writer(schema_id)
        if resolved is None:
            return Decoded(schema_id, reason=UNKNOWN_SCHEMA_ID, detail=f"schema id {schema_id} is not registered")
        if isinstance(resolved, str):
            return Decoded(schema_id, reason=INCOMPATIBLE_SCHEMA, detail=resolved)
        body = io.BytesIO(memoryview(frame)[HEADER_BYTES:])
        try:
            values = schemaless_reader(body, resolved[0], resolved[1])
        except Exception as error:  # fastavro raises EOFError, ValueError, IndexError, ... on bad bytes
            return Decoded(schema_id, reason=CORRUPT_BODY, detail=f"{type(error).__name__}: {error}"[:500])
        left = len(frame) - HEADER_BYTES - body.tell()
        if left:
            return Decoded(schema_id, reason=CORRUPT_BODY, detail=f"{left} bytes left after the record")
        if not isinstance(values, dict):
            return Decoded(schema_id, reason=CORRUPT_BODY, detail="body is not a record")
        return Decoded(schema_id, values=values)
