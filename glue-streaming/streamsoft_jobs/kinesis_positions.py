"""Where a read of a Kinesis shard starts: the position type the source's offsets hold, and the parsing of
a starting position (`LATEST`, `TRIM_HORIZON`, `AT_TIMESTAMP <time>`) and of a time given as ISO-8601 or
epoch milliseconds (which the bronze job's `--starting-position` also uses for Kafka).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# {"after": seq} | {"at_ms": ms} | {"from": "TRIM_HORIZON"}; "closed": true once drained (kinesis_source.py)
Position = dict[str, Any]


def parse_starting_position(value: str, now_ms: int) -> Position:
    """`LATEST | TRIM_HORIZON | EARLIEST | AT_TIMESTAMP <ISO-8601 or epoch ms>` → an initial shard position.

    LATEST becomes "at the current time", so it is written to the checkpoint as a fixed point and a
    restart before the first batch does not skip records produced in between.
    """
    text = value.strip()
    upper = text.upper()
    if upper in ("TRIM_HORIZON", "EARLIEST"):
        return {"from": "TRIM_HORIZON"}
    if upper == "LATEST":
        return {"at_ms": now_ms}
    if upper.startswith("AT_TIMESTAMP"):
        return {"at_ms": parse_timestamp_ms(text[len("AT_TIMESTAMP") :].strip(" =:"))}
    raise ValueError(f"startingPosition: expected LATEST, TRIM_HORIZON or AT_TIMESTAMP <time> (got {value!r})")


def parse_timestamp_ms(text: str) -> int:
    """Epoch milliseconds, or an ISO-8601 time (UTC when no offset is given), as epoch milliseconds."""
    if text.isdigit():
        return int(text)
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return int(parsed.timestamp() * 1000)
