// A small gold lake written by delta-rs with the gold job's table shapes (glue-streaming/streamsoft_jobs/
// gold.py), with rows chosen so every card's filter (time window, top N, latest day) is exercised.
import { python } from '../lake/delta-fixtures';

export const GOLD_FIXTURE = `
MONEY = pa.decimal128(38, 4)
TS = pa.timestamp("us", tz="UTC")
def put(name, columns, types):
    schema = pa.schema([(k, types[k]) for k in columns])
    write_deltalake("lake/gold/" + name, pa.table(columns, schema=schema), mode="append")

# ohlcv_1m: ten symbols over minutes 10:00..10:02 with notional (i+1)*100 per minute, plus one bar of S0
# two hours earlier with a huge notional that the last-hour window must ignore.
rows = {k: [] for k in ["symbol", "minute", "exchange", "currency", "open", "high", "low", "close", "volume", "trade_count", "notional", "vwap"]}
def bar(symbol, minute, close, notional, vwap):
    for k, v in [("symbol", symbol), ("minute", ts(minute)), ("exchange", "NYSE"), ("currency", "USD"),
                 ("open", D(close)), ("high", D(close)), ("low", D(close)), ("close", D(close)),
                 ("volume", 10), ("trade_count", 2), ("notional", D(notional)), ("vwap", D(vwap))]:
        rows[k].append(v)
for i in range(10):
    for m in range(3):
        bar(f"S{i}", f"2024-05-01T10:0{m}:00", f"{10 + i}.{m}000", f"{(i + 1) * 100}.0000", f"{10 + i}.{m}5")
bar("S0", "2024-05-01T08:00:00", "9.0000", "999999.0000", "9.000000")
put("ohlcv_1m", rows, {"symbol": pa.string(), "minute": TS, "exchange": pa.string(), "currency": pa.string(),
    "open": MONEY, "high": MONEY, "low": MONEY, "close": MONEY, "volume": pa.int64(), "trade_count": pa.int64(),
    "notional": MONEY, "vwap": pa.decimal128(38, 6)})

# exchange_activity_hourly: two exchanges over two recent hours, and an NYSE hour 30 h before the latest.
put("exchange_activity_hourly", {
    "exchange": ["NYSE", "NYSE", "LSE", "LSE", "NYSE"],
    "hour": [ts("2024-05-01T10:00:00"), ts("2024-05-01T09:00:00"), ts("2024-05-01T10:00:00"), ts("2024-05-01T09:00:00"), ts("2024-04-30T04:00:00")],
    "trades": [10, 6, 4, 3, 1000], "purchases": [7, 2, 1, 1, 900], "sales": [3, 4, 3, 2, 100],
    "notional": [D("1000.0000"), D("600.0000"), D("400.0000"), D("300.0000"), D("1.0000")],
}, {"exchange": pa.string(), "hour": TS, "trades": pa.int64(), "purchases": pa.int64(), "sales": pa.int64(), "notional": MONEY})

# trader_leaderboard_daily: 12 traders on the latest day, 3 on the day before.
names = [f"Trader {chr(65 + i)}" for i in range(12)]
put("trader_leaderboard_daily", {
    "trade_date": [day("2024-05-01")] * 12 + [day("2024-04-30")] * 3,
    "rank": list(range(1, 13)) + [1, 2, 3],
    "person_name": names + ["Old A", "Old B", "Old C"],
    "trades": [20 - i for i in range(12)] + [1, 1, 1],
    "notional_usd": [D(f"{(12 - i) * 1000}.5000") for i in range(12)] + [D("9.0000")] * 3,
}, {"trade_date": pa.date32(), "rank": pa.int64(), "person_name": pa.string(), "trades": pa.int64(), "notional_usd": MONEY})

# price_alerts: 25 alerts one minute apart, every fifth of S9 (the latest among them), the rest of S1, with
# 2 to 4 crossing trades each; the card shows the 20 latest.
put("price_alerts", {
    "operation_id": [f"op-{i}" for i in range(25)],
    "symbol": ["S9" if i % 5 == 4 else "S1" for i in range(25)], "exchange": ["NYSE"] * 25,
    "minute": [ts(f"2024-05-01T09:{i:02d}:00") for i in range(25)],
    "timestamp": [ts(f"2024-05-01T09:{i:02d}:30") for i in range(25)],
    "price": [D("11.0000")] * 25, "prev_close": [D("10.0000")] * 25,
    "move_pct": [D("10.0000")] * 25, "direction": ["up"] * 25,
    "crossing_trades": [2 + i % 3 for i in range(25)], "max_abs_move_pct": [D(f"{11 + i % 3}.2500") for i in range(25)],
}, {"operation_id": pa.string(), "symbol": pa.string(), "exchange": pa.string(), "minute": TS, "timestamp": TS,
    "price": MONEY, "prev_close": MONEY, "move_pct": pa.decimal128(18, 4), "direction": pa.string(),
    "crossing_trades": pa.int64(), "max_abs_move_pct": pa.decimal128(18, 4)})

# pipeline_health_hourly: two hours.
put("pipeline_health_hourly", {
    "hour": [ts("2024-05-01T09:00:00"), ts("2024-05-01T10:00:00")],
    "bronze_rows": [100, 50], "quarantined": [2, 1], "duplicates_dropped": [3, 0], "rejected": [1, 1],
    "silver_rows": [94, 48], "ingest_lag_p50_ms": [1500, 800], "ingest_lag_p95_ms": [4000, 2100],
}, {"hour": TS, "bronze_rows": pa.int64(), "quarantined": pa.int64(), "duplicates_dropped": pa.int64(),
    "rejected": pa.int64(), "silver_rows": pa.int64(), "ingest_lag_p50_ms": pa.int64(), "ingest_lag_p95_ms": pa.int64()})
`;

/** Writes the gold fixture under `<dataDir>/lake/gold/`. */
export async function writeGoldFixture(dataDir: string): Promise<void> {
  await python(GOLD_FIXTURE, dataDir);
}
