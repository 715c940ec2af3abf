"""Independent check of silver and gold: a generated trade set (duplicates, invalid and late trades,
quarantined records, two incremental runs) is run through the jobs, and every gold row is compared
exactly (Decimal equality) with what plain Python computes from the same trades. The counts reconcile:
produced = silver + duplicates dropped + rejected + quarantined."""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Iterable

import pytest
from deltalake import DeltaTable as IndependentDeltaTable
from pyspark.sql import SparkSession

from streamsoft_jobs.gold_job import run_gold
from streamsoft_jobs.lake import table_path
from streamsoft_jobs.silver_job import run_silver
from synthetic_bronze import quarantine_row, write_bronze, write_quarantine

UTC = dt.timezone.utc
START = dt.datetime(2026, 11, 20, 23, 52, tzinfo=UTC)  # the first increment crosses midnight
THRESHOLD = Decimal("1.0")
# (symbol, exchange, currency, start price, USD rate): the expected side keeps its own reference data.
INSTRUMENTS = [
    ("AAPL", "NASDAQ", "USD", Decimal("229.8700"), Decimal("1")),
    ("7203", "JPX", "JPY", Decimal("2647.5000"), Decimal("0.0067")),
    ("SHEL", "LSE", "GBP", Decimal("27.0500"), Decimal("1.27")),
]
CURRENCY = {exchange: currency for _, exchange, currency, _, _ in INSTRUMENTS}
USD = {exchange: rate for _, exchange, _, _, rate in INSTRUMENTS}
TRADERS = ["Ada Lovelace", "Bo Diddley", "Cy Twombly", "Di Fossey", "Ed Wood"]
LATENESS = dt.timedelta(days=7)
FUTURE = dt.timedelta(minutes=5)


def q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def divide(a: Decimal, b: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return q(a / b, places)


def naive(t: dt.datetime) -> dt.datetime:
    return t.astimezone(UTC).replace(tzinfo=None)


class TradeGenerator:
    """Seeded trades with random-walk prices (moves of up to ~2%, so some cross the alert threshold)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.prices = {symbol: price for symbol, _, _, price, _ in INSTRUMENTS}
        self.offset = 0
        self.emitted: list[dict[str, Any]] = []

    def _coordinates(self, arrival: dt.datetime) -> dict[str, Any]:
        self.offset += 1
        return {
            "_schema_id": 2,
            "_source": "kinesis",
            "_source_partition": f"shardId-00000000000{self.offset % 2}",
            "_source_offset": str(self.offset),
            "_arrival_at": arrival,
            "_ingested_at": arrival + dt.timedelta(milliseconds=self.random.randint(5, 4000)),
        }

    def trade(self, event: dt.datetime, arrival: dt.datetime, **overrides: Any) -> dict[str, Any]:
        symbol, exchange, currency, _, _ = self.random.choice(INSTRUMENTS)
        step = Decimal(self.random.randint(-200, 200)) / Decimal(10_000)
        self.prices[symbol] = q(self.prices[symbol] * (1 + step), 4)
        row = {
            "operation_id": str(uuid.UUID(int=self.random.getrandbits(128), version=4)),
            "person_name": self.random.choice(TRADERS),
            "symbol": symbol,
            "timestamp": event,
            "exchange": exchange,
            "currency": currency,
            "price": self.prices[symbol],
            "operation": self.random.choice(["purchase", "sale"]),
            "quantity": self.random.choice([1, 2, 5, 10, 100, 300]),
            "broker": None,
            **self._coordinates(arrival),
        }
        row.update(overrides)
        row["event_date"] = row["timestamp"].astimezone(UTC).date()
        self.emitted.append(row)
        return row

    def resend(self, original: dict[str, Any], arrival: dt.datetime) -> dict[str, Any]:
        row = {**original, **self._coordinates(arrival)}
        self.emitted.append(row)
        return row

    def increment(self, start: dt.datetime, count: int, late_from: dt.datetime | None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for i in range(count):
            arrival = start + dt.timedelta(seconds=i * 3 + self.random.random())
            roll = self.random.random()
            if roll < 0.06 and self.emitted:
                rows.append(self.resend(self.random.choice(self.emitted), arrival))
            elif roll < 0.08:
                rows.append(self.trade(arrival, arrival, quantity=0))
            elif roll < 0.09:
                rows.append(self.trade(arrival, arrival, exchange="LSE", currency="USD", symbol="SHEL"))
            elif roll < 0.10:
                rows.append(self.trade(arrival - dt.timedelta(days=8), arrival))
            elif roll < 0.25 and late_from is not None:
                event = late_from + dt.timedelta(seconds=self.random.randint(0, 600))
                rows.append(self.trade(event, arrival))
            else:
                rows.append(self.trade(arrival - dt.timedelta(milliseconds=self.random.randint(0, 900)), arrival))
        return rows


@dataclass
class Expected:
    silver: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]


def expected_silver(bronze: list[dict[str, Any]], currencies: dict[str, str] = CURRENCY) -> Expected:
    """Dedup by operation_id (first arrival wins), then the data-quality rules the generator can break."""
    order = sorted(
        bronze,
        key=lambda r: (r["_arrival_at"], r["_source_partition"], len(r["_source_offset"]), r["_source_offset"]),
    )
    seen: set[str] = set()
    silver: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    for row in order:
        if row["operation_id"] in seen:
            duplicates.append(row)
            continue
        seen.add(row["operation_id"])
        valid = (
            row["price"] > 0
            and row["quantity"] > 0
            and currencies.get(row["exchange"]) == row["currency"]
            and row["timestamp"] >= row["_arrival_at"] - LATENESS
            and row["timestamp"] <= row["_arrival_at"] + FUTURE
        )
        (silver if valid else rejected).append(row)
    return Expected(silver, rejected, duplicates)


def minute(t: dt.datetime) -> dt.datetime:
    return naive(t).replace(second=0, microsecond=0)


def hour(t: dt.datetime) -> dt.datetime:
    return naive(t).replace(minute=0, second=0, microsecond=0)


def expected_ohlcv(trades: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for t in trades:
        groups[(t["symbol"], minute(t["timestamp"]))].append(t)
    out = {}
    for key, rows in groups.items():
        rows.sort(key=lambda r: (r["timestamp"], r["operation_id"]))
        notional = sum((r["price"] * r["quantity"] for r in rows), Decimal(0))
        volume = sum(r["quantity"] for r in rows)
        prices = [r["price"] for r in rows]
        out[key] = (
            rows[0]["exchange"],
            rows[0]["currency"],
            rows[0]["price"],
            max(prices),
            min(prices),
            rows[-1]["price"],
            volume,
            len(rows),
            notional,
            divide(notional, Decimal(volume), 6),
            naive(rows[0]["timestamp"]),
            naive(rows[-1]["timestamp"]),
            key[1].date(),
        )
    return out


def money(rows: list[dict[str, Any]]) -> Decimal:
    return sum((r["price"] * r["quantity"] for r in rows), Decimal(0))


def expected_activity(trades: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for t in trades:
        groups[(t["exchange"], hour(t["timestamp"]))].append(t)
    out = {}
    for key, rows in groups.items():
        buys = [r for r in rows if r["operation"] == "purchase"]
        sells = [r for r in rows if r["operation"] == "sale"]
        total = money(rows)
        out[key] = (
            rows[0]["currency"],
            len(rows),
            len(buys),
            len(sells),
            sum(r["quantity"] for r in rows),
            total,
            money(buys),
            money(sells),
            divide(money(buys) - money(sells), total, 6),
            key[1].date(),
        )
    return out


def expected_leaderboard(trades: list[dict[str, Any]], rates: dict[str, Decimal] = USD) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    per: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for t in trades:
        per[(naive(t["timestamp"]).date(), t["person_name"])].append(t)
    totals = {
        key: (
            len(rows),
            sum(1 for r in rows if r["operation"] == "purchase"),
            sum(1 for r in rows if r["operation"] == "sale"),
            sum((q(r["price"] * r["quantity"] * rates[r["exchange"]], 4) for r in rows), Decimal(0)),
        )
        for key, rows in per.items()
    }
    out = {}
    for day in {day for day, _ in totals}:
        ranked = sorted((k for k in totals if k[0] == day), key=lambda k: (-totals[k][3], k[1]))
        for rank, key in enumerate(ranked, start=1):
            out[key] = (rank, *totals[key])
    return out


def expected_alerts(
    trades: list[dict[str, Any]], bars: dict[tuple[Any, ...], tuple[Any, ...]], threshold: Decimal = THRESHOLD
) -> dict[str, tuple[Any, ...]]:
    """One alert per (symbol, minute) with a trade more than `threshold` % away from the previous minute's
    close, keyed by the first such trade (event time, then operation_id): its move, how many trades crossed,
    the largest absolute move among them."""
    crossings: dict[tuple[Any, ...], list[tuple[dict[str, Any], Decimal]]] = defaultdict(list)
    for t in trades:
        m = minute(t["timestamp"])
        previous = bars.get((t["symbol"], m - dt.timedelta(minutes=1)))
        if previous is None:
            continue
        close = previous[5]
        with localcontext() as ctx:
            ctx.prec = 80
            move = (t["price"] - close) * 100 / close
        if abs(move) > threshold:
            crossings[(t["symbol"], m)].append((t, move))
    out = {}
    for (symbol, m), moves in crossings.items():
        first, move = min(moves, key=lambda crossing: (crossing[0]["timestamp"], crossing[0]["operation_id"]))
        out[first["operation_id"]] = (
            symbol,
            m,
            naive(first["timestamp"]),
            first["price"],
            m - dt.timedelta(minutes=1),
            bars[(symbol, m - dt.timedelta(minutes=1))][5],
            q(q(move, 15), 4),  # Spark's decimal(38,15) quotient, then round(_, 4)
            "up" if move > 0 else "down",
            len(moves),
            max(abs(q(q(other, 15), 4)) for _, other in moves),
        )
    return out


def lag_ms(row: dict[str, Any]) -> int:
    lag: dt.timedelta = row["_ingested_at"] - row["timestamp"]
    micros = lag // dt.timedelta(microseconds=1)
    return abs(micros) // 1000 * (1 if micros >= 0 else -1)


def nearest_rank(values: list[int], p: Decimal) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def expected_health(bronze: list[dict[str, Any]], quarantine: list[dict[str, Any]], e: Expected) -> dict[dt.datetime, tuple[Any, ...]]:
    def per_hour(rows: Iterable[dict[str, Any]]) -> dict[dt.datetime, int]:
        counts: dict[dt.datetime, int] = defaultdict(int)
        for r in rows:
            counts[hour(r["_ingested_at"])] += 1
        return counts

    lags: dict[dt.datetime, list[int]] = defaultdict(list)
    for r in bronze:
        lags[hour(r["_ingested_at"])].append(lag_ms(r))
    parts = [per_hour(bronze), per_hour(quarantine), per_hour(e.duplicates), per_hour(e.rejected), per_hour(e.silver)]
    hours = set().union(*parts)
    return {
        h: (
            *(part.get(h, 0) for part in parts),
            nearest_rank(lags[h], Decimal("0.5")) if lags[h] else None,
            nearest_rank(lags[h], Decimal("0.95")) if lags[h] else None,
        )
        for h in hours
    }


# Gold rows in the shapes the expected_* functions return (any reader: Spark rows or deltalake's).


def actual_ohlcv(rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (r["symbol"], r["minute"]): (
            r["exchange"], r["currency"], r["open"], r["high"], r["low"], r["close"], r["volume"], r["trade_count"],
            r["notional"], r["vwap"], r["first_trade_at"], r["last_trade_at"], r["event_date"],
        )
        for r in rows
    }  # fmt: skip


def actual_activity(rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (r["exchange"], r["hour"]): (
            r["currency"], r["trades"], r["purchases"], r["sales"], r["volume"], r["notional"],
            r["purchase_notional"], r["sale_notional"], r["buy_sell_imbalance"], r["event_date"],
        )
        for r in rows
    }  # fmt: skip


def actual_leaderboard(rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (r["trade_date"], r["person_name"]): (r["rank"], r["trades"], r["purchases"], r["sales"], r["notional_usd"])
        for r in rows
    }


def actual_alerts(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {
        r["operation_id"]: (
            r["symbol"], r["minute"], r["timestamp"], r["price"], r["prev_minute"], r["prev_close"], r["move_pct"],
            r["direction"], r["crossing_trades"], r["max_abs_move_pct"],
        )
        for r in rows
    }  # fmt: skip


def actual_health(rows: list[dict[str, Any]]) -> dict[dt.datetime, tuple[Any, ...]]:
    return {
        r["hour"]: (
            r["bronze_rows"], r["quarantined"], r["duplicates_dropped"], r["rejected"], r["silver_rows"],
            r["ingest_lag_p50_ms"], r["ingest_lag_p95_ms"],
        )
        for r in rows
    }  # fmt: skip


def table(spark: SparkSession, lake: str, layer: str, name: str) -> list[dict[str, Any]]:
    return [r.asDict() for r in spark.read.format("delta").load(table_path(lake, layer, name)).collect()]


@dataclass
class Pipeline:
    spark: SparkSession
    lake: str
    bronze: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]


@pytest.fixture(scope="module")
def pipeline(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    root = tmp_path_factory.mktemp("reconcile")
    lake, silver_cp, gold_cp = str(root / "lake"), str(root / "cp" / "silver"), str(root / "cp" / "gold")
    generator = TradeGenerator(seed=20261120)
    first = generator.increment(START, 220, late_from=None)
    first_quarantine = [quarantine_row(_ingested_at=naive(START) + dt.timedelta(minutes=i)) for i in range(0, 12, 4)]
    # The second increment arrives 25 minutes later: new trades, resends, and late trades whose event
    # times fall in minutes the first run already aggregated.
    second = generator.increment(START + dt.timedelta(minutes=25), 160, late_from=START)
    second_quarantine = [quarantine_row(_ingested_at=naive(START) + dt.timedelta(minutes=26))]

    write_bronze(spark, lake, first)
    write_quarantine(spark, lake, first_quarantine)
    run_silver(spark, lake, silver_cp)
    run_gold(spark, lake, gold_cp, THRESHOLD)
    write_bronze(spark, lake, second)
    write_quarantine(spark, lake, second_quarantine)
    run_silver(spark, lake, silver_cp)
    run_gold(spark, lake, gold_cp, THRESHOLD)
    return Pipeline(spark, lake, first + second, first_quarantine + second_quarantine)


def test_the_generated_set_has_every_kind_of_fault(pipeline: Pipeline) -> None:
    e = expected_silver(pipeline.bronze)
    late = [r for r in e.silver if r["_arrival_at"] - r["timestamp"] > dt.timedelta(minutes=2)]
    assert len(e.duplicates) >= 5 and len(e.rejected) >= 5 and len(late) >= 5


def test_silver_tables_hold_exactly_the_expected_rows(pipeline: Pipeline) -> None:
    e = expected_silver(pipeline.bronze)
    spark, lake = pipeline.spark, pipeline.lake
    silver = {r["operation_id"]: r for r in table(spark, lake, "silver", "trades")}
    assert set(silver) == {r["operation_id"] for r in e.silver}
    for r in e.silver:
        got = silver[r["operation_id"]]
        assert (got["_source_offset"], got["notional"]) == (r["_source_offset"], r["price"] * r["quantity"])
    assert sorted(r["trade_key"] for r in table(spark, lake, "silver", "trades_rejected")) == sorted(
        r["operation_id"] for r in e.rejected
    )
    assert sorted(r["_source_offset"] for r in table(spark, lake, "silver", "trades_duplicates")) == sorted(
        r["_source_offset"] for r in e.duplicates
    )


def test_counts_reconcile_produced_with_silver_duplicates_rejected_quarantined(pipeline: Pipeline) -> None:
    spark, lake = pipeline.spark, pipeline.lake
    produced = len(pipeline.bronze) + len(pipeline.quarantine)
    stages = [
        len(table(spark, lake, "silver", "trades")),
        len(table(spark, lake, "silver", "trades_duplicates")),
        len(table(spark, lake, "silver", "trades_rejected")),
        len(table(spark, lake, "bronze", "trades_quarantine")),
    ]
    assert produced == sum(stages)
    health = table(spark, lake, "gold", "pipeline_health_hourly")
    totals = [sum(r[c] for r in health) for c in ("silver_rows", "duplicates_dropped", "rejected", "quarantined")]
    assert totals == stages
    assert sum(r["bronze_rows"] for r in health) == len(pipeline.bronze)


def test_gold_tables_equal_the_independent_computation_exactly(pipeline: Pipeline) -> None:
    spark, lake = pipeline.spark, pipeline.lake
    e = expected_silver(pipeline.bronze)
    bars = expected_ohlcv(e.silver)
    assert actual_ohlcv(table(spark, lake, "gold", "ohlcv_1m")) == bars
    assert actual_activity(table(spark, lake, "gold", "exchange_activity_hourly")) == expected_activity(e.silver)
    assert actual_leaderboard(table(spark, lake, "gold", "trader_leaderboard_daily")) == expected_leaderboard(e.silver)
    alerts = expected_alerts(e.silver, bars)
    assert alerts, "the generated walk should cross the threshold somewhere"
    assert any(crossing_trades > 1 for *_, crossing_trades, _ in alerts.values()), "no minute with several crossings"
    assert actual_alerts(table(spark, lake, "gold", "price_alerts")) == alerts
    health = expected_health(pipeline.bronze, pipeline.quarantine, e)
    assert actual_health(table(spark, lake, "gold", "pipeline_health_hourly")) == health


def test_an_independent_delta_reader_reads_every_silver_and_gold_table(pipeline: Pipeline) -> None:
    for layer, name in [
        ("silver", "trades"),
        ("silver", "trades_rejected"),
        ("silver", "trades_duplicates"),
        ("gold", "ohlcv_1m"),
        ("gold", "exchange_activity_hourly"),
        ("gold", "trader_leaderboard_daily"),
        ("gold", "price_alerts"),
        ("gold", "pipeline_health_hourly"),
    ]:
        independent = IndependentDeltaTable(table_path(pipeline.lake, layer, name))
        protocol = independent.protocol()
        assert protocol.min_reader_version == 1 and not protocol.reader_features, name
        assert not {"deletionVectors", "columnMapping"} & set(protocol.writer_features or []), name
        assert independent.to_pyarrow_table().num_rows == len(table(pipeline.spark, pipeline.lake, layer, name)), name
