"""Freshness of bronze.trades from its Delta log: for every row, the commit time of the version that added
it minus the trade's event time. Prints JSON. Used by bench/bronze.ts; reads with pyarrow, not Spark.

Run: .tools/venv/bin/python bench/bronze.py <lake>/bronze/trades [--after-ms EPOCH_MS]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("--after-ms", type=int, default=0, help="only trades with event time at or after this")
    args = parser.parse_args()
    table = Path(args.table)
    freshness_ms: list[float] = []
    commits = 0
    for log_file in sorted((table / "_delta_log").glob("*.json")):
        actions = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines() if line]
        info = next((a["commitInfo"] for a in actions if "commitInfo" in a), None)
        adds = [a["add"]["path"] for a in actions if "add" in a]
        if info is None or not adds:
            continue
        commits += 1
        committed_ms = info["timestamp"]
        for path in adds:
            events = pq.read_table(table / path, columns=["timestamp"]).column("timestamp")
            # Spark may write INT96 (read back as ns) or micros: normalise to epoch milliseconds
            millis = events.cast(pa.timestamp("ms", tz=events.type.tz), safe=False).cast(pa.int64()).to_pylist()
            freshness_ms.extend(committed_ms - m for m in millis if m >= args.after_ms)
    freshness_ms.sort()
    print(
        json.dumps(
            {
                "rows": len(freshness_ms),
                "commits": commits,
                "freshness_ms": {
                    "p50": percentile(freshness_ms, 50),
                    "p99": percentile(freshness_ms, 99),
                    "max": freshness_ms[-1] if freshness_ms else None,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
