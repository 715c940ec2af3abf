"""Exchange reference data: where each exchange is, its clock, its currency and an indicative USD rate.

One source of truth for the silver data-quality rules (known exchange, currency matching the exchange) and
the enrichment (country, timezone, local time, notional in USD). The exchanges match the producer's
universe (producers/universe.ts).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import DecimalType

# Static, indicative reference rates (USD per one unit of the currency) used to rank traders across
# currencies on one scale. They are reference data, not market data: a deployment that needs daily FX
# would replace this table, not the transforms.
USD_RATE_TYPE = DecimalType(12, 8)


@dataclass(frozen=True)
class ExchangeInfo:
    code: str
    country: str
    timezone: str
    currency: str
    usd_rate: Decimal


EXCHANGES: Mapping[str, ExchangeInfo] = {
    info.code: info
    for info in (
        ExchangeInfo("NYSE", "US", "America/New_York", "USD", Decimal("1.00000000")),
        ExchangeInfo("NASDAQ", "US", "America/New_York", "USD", Decimal("1.00000000")),
        ExchangeInfo("LSE", "GB", "Europe/London", "GBP", Decimal("1.27000000")),
        ExchangeInfo("Euronext", "FR", "Europe/Paris", "EUR", Decimal("1.08000000")),
        ExchangeInfo("XETRA", "DE", "Europe/Berlin", "EUR", Decimal("1.08000000")),
        ExchangeInfo("SIX", "CH", "Europe/Zurich", "CHF", Decimal("1.13000000")),
        ExchangeInfo("JPX", "JP", "Asia/Tokyo", "JPY", Decimal("0.00670000")),
        ExchangeInfo("HKEX", "HK", "Asia/Hong_Kong", "HKD", Decimal("0.12800000")),
        ExchangeInfo("SSE", "CN", "Asia/Shanghai", "CNY", Decimal("0.13800000")),
        ExchangeInfo("TSX", "CA", "America/Toronto", "CAD", Decimal("0.73000000")),
        ExchangeInfo("ASX", "AU", "Australia/Sydney", "AUD", Decimal("0.66000000")),
    )
}


def _lookup(exchange: Column, value: str) -> Column:
    """`exchange` mapped to one attribute of its ExchangeInfo (null for an unknown exchange)."""
    pairs = []
    for code, info in EXCHANGES.items():
        pairs += [F.lit(code), F.lit(getattr(info, value))]
    return F.create_map(*pairs)[exchange]


def exchange_known(exchange: Column) -> Column:
    return exchange.isin(list(EXCHANGES))


def exchange_country(exchange: Column) -> Column:
    return _lookup(exchange, "country")


def exchange_timezone(exchange: Column) -> Column:
    return _lookup(exchange, "timezone")


def exchange_currency(exchange: Column) -> Column:
    return _lookup(exchange, "currency")


def exchange_usd_rate(exchange: Column) -> Column:
    return _lookup(exchange, "usd_rate").cast(USD_RATE_TYPE)
