"""Filters on a timestamp column for a set of touched time buckets (minutes, hours), written as ranges Delta
can skip files by.

Delta keeps min/max statistics per file for the first 32 columns. A filter made of `column >= start AND
column < end` ranges lets a read open only the files whose [min, max] overlaps a touched bucket: the files
of silver.trades written an hour ago hold no trade of the last minute, so a micro-batch about the last
minutes reads the last minutes' files, not the whole day's partition. A join against the touched buckets
cannot do that; Spark only learns the matching files by reading them all.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Sequence

from pyspark.sql import Column
from pyspark.sql import functions as F

# Above this many separate ranges, the filter is one covering range plus an exact bucket list: an OR of
# hundreds of ranges overflows Spark's generated code (64 KB) and, at ~600, the JVM stack in Delta's MERGE.
MAX_RANGES = 8

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
_UNITS = {MINUTE: "minute", HOUR: "hour"}


def bucket_ranges(starts: Sequence[dt.datetime], step: dt.timedelta) -> list[tuple[dt.datetime, dt.datetime]]:
    """The touched buckets (each [start, start + step)) as ranges, consecutive buckets merged into one."""
    ranges: list[tuple[dt.datetime, dt.datetime]] = []
    for start in sorted(set(starts)):
        end = start + step
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges


def bucket_filter(starts: Sequence[dt.datetime], step: dt.timedelta, column: str) -> Column:
    """Rows whose `column` falls in one of the touched buckets: one range per run of consecutive buckets, or,
    when they are scattered, the range covering them all narrowed by an exact `date_trunc(unit, column) IN`.
    `starts` must be bucket starts (truncated to `step`, a minute or an hour) and not empty."""
    ranges = bucket_ranges(starts, step)
    if not ranges:
        raise ValueError("bucket_filter: no bucket given")
    if len(ranges) <= MAX_RANGES:
        within = [(F.col(column) >= F.lit(start)) & (F.col(column) < F.lit(end)) for start, end in ranges]
        return functools.reduce(lambda a, b: a | b, within)
    covering = (F.col(column) >= F.lit(ranges[0][0])) & (F.col(column) < F.lit(ranges[-1][1]))
    exact = F.date_trunc(_UNITS[step], F.col(column)).isin(*[F.lit(start) for start in sorted(set(starts))])
    return covering & exact
