"""Silver data-quality rules: each rule names one way a decoded trade can be unusable downstream.

Rules are evaluated against the trade's own arrival time (`_arrival_at`, falling back to `_ingested_at`),
never against the wall clock, so re-running a batch classifies every row the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Callable, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from streamsoft_jobs.args import JobArgs
from streamsoft_jobs.reference import exchange_currency, exchange_known

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# Tickers as exchanges print them: AAPL, BRK.B, BP. (LSE), 0700 (HKEX), 600519 (SSE), RDS-A.
SYMBOL_PATTERN = r"^[A-Z0-9][A-Z0-9.\-]{0,11}$"
OPERATIONS = ("purchase", "sale")
REQUIRED_FIELDS = ("operation_id", "symbol", "timestamp", "exchange", "currency", "price", "operation", "quantity")


@dataclass(frozen=True)
class QualityPolicy:
    """How far an event time may sit from its arrival time, and the sanity bound on one trade's notional."""

    future_tolerance: timedelta = timedelta(minutes=5)
    lateness_window: timedelta = timedelta(days=7)
    max_notional: Decimal = Decimal(10) ** 18

    @staticmethod
    def from_args(args: JobArgs) -> "QualityPolicy":
        """--future-tolerance-seconds (default 300) and --lateness-hours (default 168 = 7 days)."""
        return QualityPolicy(
            future_tolerance=timedelta(seconds=args.get_int("future-tolerance-seconds", 300)),
            lateness_window=timedelta(hours=args.get_int("lateness-hours", 168)),
        )


@dataclass(frozen=True)
class QualityRule:
    name: str
    description: str
    fails: Callable[[QualityPolicy], Column]


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _arrival_micros() -> Column:
    return F.unix_micros(F.coalesce(F.col("_arrival_at"), F.col("_ingested_at")))


def _notional_exact() -> Column:
    return F.col("price") * F.col("quantity").cast("decimal(19,0)")


RULES: Sequence[QualityRule] = (
    QualityRule(
        "missing_field",
        "a required field is null",
        lambda _: F.greatest(*[F.col(name).isNull() for name in REQUIRED_FIELDS]),
    ),
    QualityRule(
        "malformed_operation_id",
        "operation_id is not a UUID",
        lambda _: ~F.col("operation_id").rlike(UUID_PATTERN),
    ),
    QualityRule(
        "empty_trader_name",
        "person_name is null or blank",
        lambda _: F.col("person_name").isNull() | (F.trim(F.col("person_name")) == ""),
    ),
    QualityRule(
        "malformed_symbol",
        "symbol is not an upper-case ticker of 1 to 12 characters",
        lambda _: ~F.col("symbol").rlike(SYMBOL_PATTERN),
    ),
    QualityRule(
        "unknown_exchange",
        "exchange is not in the exchange reference data",
        lambda _: ~exchange_known(F.col("exchange")),
    ),
    QualityRule(
        "currency_mismatch",
        "currency is not the currency the exchange trades in",
        lambda _: exchange_known(F.col("exchange")) & (F.col("currency") != exchange_currency(F.col("exchange"))),
    ),
    QualityRule(
        "unknown_operation",
        "operation is neither purchase nor sale",
        lambda _: ~F.col("operation").isin(*OPERATIONS),
    ),
    QualityRule("non_positive_price", "price is zero or negative", lambda _: F.col("price") <= 0),
    QualityRule("non_positive_quantity", "quantity is zero or negative", lambda _: F.col("quantity") <= 0),
    QualityRule(
        "notional_out_of_range",
        "price * quantity is at or above the sanity bound",
        lambda policy: (
            (F.col("price") > 0)
            & (F.col("quantity") > 0)
            & (_notional_exact() >= F.lit(policy.max_notional).cast("decimal(38,4)"))
        ),
    ),
    QualityRule(
        "future_event_time",
        "event time is later than arrival time plus the tolerance",
        lambda policy: F.unix_micros(F.col("timestamp")) > _arrival_micros() + _micros(policy.future_tolerance),
    ),
    QualityRule(
        "too_late",
        "event time is earlier than arrival time minus the lateness window",
        lambda policy: F.unix_micros(F.col("timestamp")) < _arrival_micros() - _micros(policy.lateness_window),
    ),
)

RULE_NAMES: Sequence[str] = tuple(rule.name for rule in RULES)


def with_failed_rules(df: DataFrame, policy: QualityPolicy) -> DataFrame:
    """Adds `failed_rules` (array of rule names, in rule order; empty when the row passes every rule)."""
    flags = [F.when(F.coalesce(rule.fails(policy), F.lit(False)), F.lit(rule.name)) for rule in RULES]
    return df.withColumn("failed_rules", F.filter(F.array(*flags), lambda name: name.isNotNull()))
