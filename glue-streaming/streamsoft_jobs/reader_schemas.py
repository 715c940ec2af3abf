"""Which reader schema bronze decodes into while it runs: the subject's latest version, followed at batch
boundaries.

The follower asks the registry for the subject's latest version when a batch holds a writer schema id it
has not seen, and every `refresh_seconds`; a new version is adopted only when it can read the current
reader schema (Avro resolution), so every row already in the lake keeps its meaning. Driver-side only,
and never per record: the ids come from one aggregate the batch computes anyway.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from pyspark.sql.types import StructType

from .avro_resolution import resolution_errors
from .avro_types import record_fields
from .registry import RegistryUnavailableError, registry_client

log = logging.getLogger(__name__)

DEFAULT_REFRESH_SECONDS = 60.0


@dataclass(frozen=True)
class ReaderSchema:
    """A reader schema and its registry id (None for a local .avsc file)."""

    schema: Mapping[str, Any]
    schema_id: int | None = None
    fields: StructType = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", record_fields(dict(self.schema)))

    def describe(self) -> str:
        return "the reader schema file" if self.schema_id is None else f"reader schema id {self.schema_id}"


class ReaderSchemaFollower:
    """The current reader schema, moved to the subject's latest version when that can read it."""

    def __init__(
        self,
        current: ReaderSchema,
        registry_url: str,
        subject: str,
        refresh_seconds: float | None = DEFAULT_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.current = current
        self.registry_url = registry_url
        self.subject = subject
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self.seen_ids: set[int] = set()
        self._refused: set[int] = set()
        self._last_refresh = clock()

    def due(self) -> bool:
        """Whether the interval since the last look at the registry has passed."""
        return self.refresh_seconds is not None and self.clock() - self._last_refresh >= self.refresh_seconds

    def saw(self, schema_ids: Iterable[int]) -> bool:
        """Records the writer ids of a batch; True when one of them is new to this job."""
        new = set(schema_ids) - self.seen_ids
        self.seen_ids |= new
        return bool(new)

    def refresh(self) -> bool:
        """Reads the subject's latest version; True when it became the reader schema."""
        self._last_refresh = self.clock()
        try:
            schema_id, schema = registry_client(self.registry_url).latest_schema(self.subject)
        except RegistryUnavailableError as error:
            # the batch decodes into the current reader schema; the next new id or interval asks again
            log.warning("reader schema: keeping %s: %s", self.current.describe(), error)
            return False
        if schema_id == self.current.schema_id or schema_id in self._refused:
            return False
        errors = resolution_errors(schema, dict(self.current.schema))
        if errors:
            self._refused.add(schema_id)
            log.warning(
                "reader schema: the latest version of %s (schema id %d) cannot read %s, keeping it: %s",
                self.subject,
                schema_id,
                self.current.describe(),
                "; ".join(errors),
            )
            return False
        log.info("reader schema: %s -> reader schema id %d (latest of %s)", self.current.describe(), schema_id, self.subject)
        self.current = ReaderSchema(schema, schema_id)
        return True

    def adopt(self, reader: ReaderSchema) -> None:
        """Makes `reader` current (the one the lake's last batch was written with, at a restart)."""
        self.current = reader
