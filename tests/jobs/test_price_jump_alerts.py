"""Gold's price alerts over the trades `streamsoft up` produces by default: the producer's own simulator
(tests/support/simulated-trades.ts, configured through up's flags) feeds silver's classification and
gold's `price_alerts` at the gold job's default threshold. With up's default price jumps, alerts fire
within the first minutes; on the same trades without jumps the price diffusion alone raises none."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import Row, SparkSession

from streamsoft_jobs.gold import DEFAULT_ALERT_THRESHOLD_PCT, ohlcv_1m, price_alerts
from streamsoft_jobs.quality import QualityPolicy
from streamsoft_jobs.silver import classify
from synthetic_bronze import BRONZE_TRADES_SCHEMA, bronze_row

REPO_ROOT = Path(__file__).resolve().parents[2]
TSX = REPO_ROOT / "node_modules" / ".bin" / "tsx"
SIMULATED_TRADES = REPO_ROOT / "tests" / "support" / "simulated-trades.ts"
SEED = 42
MINUTES = 5  # issue 16: a seeded `up` with the default settings shows an alert within 5 minutes


def _utc(epoch_ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.timezone.utc)


def simulated_emissions(*up_flags: str) -> list[dict[str, Any]]:
    run = subprocess.run(
        [str(TSX), str(SIMULATED_TRADES), str(SEED), str(MINUTES), *up_flags],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def alerts_of(spark: SparkSession, emissions: list[dict[str, Any]]) -> list[Row]:
    """Bad frames never reach bronze (quarantined); duplicates do, and silver drops them."""
    rows = []
    for emission in emissions:
        if emission["kind"] == "bad":
            continue
        trade = emission["trade"]
        arrival = _utc(emission["emitted_at"])
        rows.append(
            bronze_row(
                **{**trade, "timestamp": _utc(trade["timestamp"]), "price": Decimal(trade["price"])},
                _arrival_at=arrival,
                _ingested_at=arrival + dt.timedelta(seconds=1),
            )
        )
    names = [field.name for field in BRONZE_TRADES_SCHEMA.fields]
    bronze = spark.createDataFrame([tuple(row[name] for name in names) for row in rows], BRONZE_TRADES_SCHEMA)
    nothing_seen = spark.createDataFrame([], "trade_key string, _seen_at array<string>")
    trades = classify(bronze, nothing_seen, QualityPolicy()).trades
    return price_alerts(trades, ohlcv_1m(trades), DEFAULT_ALERT_THRESHOLD_PCT).collect()


def test_up_default_load_raises_price_alerts_within_minutes(spark: SparkSession) -> None:
    emissions = simulated_emissions()
    alerts = alerts_of(spark, emissions)
    assert alerts, "no price alert in the first minutes of up's default load"
    start = _utc(emissions[0]["emitted_at"]).replace(tzinfo=None)
    on_time = [alert for alert in alerts if alert["minute"] >= start]
    assert on_time, "only late trades raised alerts"
    for alert in alerts:
        assert abs(alert["move_pct"]) > DEFAULT_ALERT_THRESHOLD_PCT
        assert alert["crossing_trades"] >= 1 and alert["max_abs_move_pct"] >= abs(alert["move_pct"])
    # A jump moves the trades after it in its minute too: they make one alert, not one each.
    assert len({(alert["symbol"], alert["minute"]) for alert in alerts}) == len(alerts)
    assert sum(alert["crossing_trades"] for alert in alerts) > len(alerts)


@pytest.mark.parametrize(
    ("flags", "fires"),
    [([], True), (["--jump-rate", "0"], False)],
    ids=["jumps", "no-jumps"],
)
def test_jumps_are_what_crosses_the_threshold(spark: SparkSession, flags: list[str], fires: bool) -> None:
    # up's load with its late trades: a late trade carries the price of its own time
    # (producers/trade-simulator.ts PriceHistory), so it moves no old minute by itself; without jumps the
    # diffusion alone never crosses the threshold.
    alerts = alerts_of(spark, simulated_emissions(*flags))
    assert bool(alerts) is fires, f"{len(alerts)} alerts"
