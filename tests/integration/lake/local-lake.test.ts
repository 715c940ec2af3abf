// The DuckDB views over real Delta tables written by delta-rs: partitioned tables, several commits with
// overwrite and delete (remove actions), a checkpoint, schema evolution, empty and missing tables.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalLake } from '../../../lake/local-lake';
import { TableNotFoundError } from '../../../lake/errors';
import { python, referenceRows } from './delta-fixtures';

let root: string;
let lakeDir: string;
let lake: LocalLake;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'local-lake-'));
  lakeDir = path.join(root, 'lake');
  await python(
    `
trades = "lake/bronze/trades"
def batch(rows):
    return pa.table({
        "operation_id": [r[0] for r in rows],
        "symbol": [r[1] for r in rows],
        "price": pa.array([D(r[2]) for r in rows], pa.decimal128(18, 4)),
        "quantity": pa.array([r[3] for r in rows], pa.int64()),
        "event_time": pa.array([ts(r[4]) for r in rows], pa.timestamp("us", tz="UTC")),
        "event_date": pa.array([day(r[4][:10]) for r in rows], pa.date32()),
    })
write_deltalake(trades, batch([
    ("a", "AAPL", "880.9100", 1, "2024-01-01T10:00:00"),
    ("b", "MSFT", "0.0001", 5, "2024-01-01T11:00:00"),
    ("c", "AAPL", "12345678.9012", 2, "2024-01-02T09:30:00"),
]), partition_by=["event_date"])
write_deltalake(trades, batch([
    ("d", "SAP", "120.5000", 3, "2024-01-02T10:00:00"),
    ("e", "SONY", "13000.0000", 100, "2024-01-03T01:00:00"),
]), mode="append", partition_by=["event_date"])
DeltaTable(trades).create_checkpoint()
# After the checkpoint: replace one partition, delete a row (file rewrite), append again.
write_deltalake(trades, batch([("f", "AAPL", "881.0000", 7, "2024-01-01T12:00:00")]),
    mode="overwrite", predicate="event_date = '2024-01-01'", partition_by=["event_date"])
DeltaTable(trades).delete("operation_id = 'd'")
write_deltalake(trades, batch([("g", "TSLA", "250.2500", 4, "2024-01-03T02:00:00")]), mode="append", partition_by=["event_date"])

ohlcv = "lake/gold/ohlcv_1m"
def candles(rows):
    return pa.table({
        "symbol": [r[0] for r in rows],
        "minute": pa.array([ts(r[1]) for r in rows], pa.timestamp("us", tz="UTC")),
        "close": pa.array([D(r[2]) for r in rows], pa.decimal128(18, 4)),
    })
write_deltalake(ohlcv, candles([("AAPL", "2024-01-01T10:00:00", "1.0000")]))
write_deltalake(ohlcv, candles([("AAPL", "2024-01-01T10:00:00", "2.0000"), ("MSFT", "2024-01-01T10:01:00", "3.0000")]), mode="overwrite")
# Schema evolution: a later commit adds a column; earlier files have none.
write_deltalake(ohlcv, pa.table({
    "symbol": ["SAP"], "minute": pa.array([ts("2024-01-01T10:02:00")], pa.timestamp("us", tz="UTC")),
    "close": pa.array([D("4.0000")], pa.decimal128(18, 4)), "vwap": pa.array([D("4.1000")], pa.decimal128(18, 4)),
}), mode="append", schema_mode="merge")

DeltaTable.create("lake/gold/price_alerts", schema=pa.schema([("symbol", pa.string()), ("move_pct", pa.float64())]))
`,
    root,
  );
  lake = await LocalLake.open({ lakeDir });
});

afterAll(() => {
  lake.close();
  rmSync(root, { recursive: true, force: true });
});

const asStrings = (rows: unknown[][]): (string | null)[][] =>
  rows.map((row) => row.map((v) => (v === null ? null : String(v))));

test('discovers every Delta table as a "<layer>"."<table>" view', () => {
  expect(lake.tables()).toEqual(['bronze.trades', 'gold.ohlcv_1m', 'gold.price_alerts']);
});

test('a partitioned table after checkpoint, overwrite, delete and append reads exactly the live rows', async () => {
  const log = path.join(lakeDir, 'bronze', 'trades', '_delta_log');
  expect(JSON.parse(readFileSync(path.join(log, '_last_checkpoint'), 'utf8'))).toMatchObject({ version: 1 });
  const afterCheckpoint = [2, 3].map((v) =>
    readFileSync(path.join(log, `${String(v).padStart(20, '0')}.json`), 'utf8'),
  );
  expect(afterCheckpoint.every((commit) => commit.includes('"remove"'))).toBe(true);

  const result = await lake.query(
    `SELECT operation_id, symbol, price, quantity, event_time, event_date FROM bronze.trades ORDER BY operation_id`,
  );

  expect(result.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
    'operation_id VARCHAR',
    'symbol VARCHAR',
    'price DECIMAL(18,4)',
    'quantity BIGINT',
    'event_time TIMESTAMP WITH TIME ZONE',
    'event_date DATE',
  ]);
  expect(result.rows).toEqual([
    ['c', 'AAPL', '12345678.9012', '2', '2024-01-02 09:30:00+00', '2024-01-02'],
    ['e', 'SONY', '13000.0000', '100', '2024-01-03 01:00:00+00', '2024-01-03'],
    ['f', 'AAPL', '881.0000', '7', '2024-01-01 12:00:00+00', '2024-01-01'],
    ['g', 'TSLA', '250.2500', '4', '2024-01-03 02:00:00+00', '2024-01-03'],
  ]);
});

test('agrees with delta-rs, an independent reader, on every table', async () => {
  for (const [table, columns] of [
    ['bronze.trades', 'operation_id, symbol, price, quantity, event_date'],
    ['gold.ohlcv_1m', 'symbol, close, vwap'],
  ] as const) {
    const ours = await lake.query(`SELECT ${columns} FROM ${table}`);
    const reference = await referenceRows(path.join(lakeDir, ...table.split('.')), root);
    const picked = reference.map((row) => ours.columns.map((c) => row[c.name] ?? null));
    const sort = (rows: (string | null)[][]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(sort(asStrings(ours.rows))).toEqual(sort(picked));
  }
});

test('a column added by a later commit reads as NULL in older files', async () => {
  const result = await lake.query(`SELECT symbol, close, vwap FROM gold.ohlcv_1m ORDER BY symbol`);
  expect(result.rows).toEqual([
    ['AAPL', '2.0000', null],
    ['MSFT', '3.0000', null],
    ['SAP', '4.0000', '4.1000'],
  ]);
});

test('a table with no data files yet has its columns and no rows', async () => {
  const result = await lake.query(`SELECT * FROM gold.price_alerts`);
  expect(result.columns).toEqual([
    { name: 'symbol', type: 'VARCHAR' },
    { name: 'move_pct', type: 'DOUBLE' },
  ]);
  expect(result.rows).toEqual([]);
});

test('a table that does not exist is a clear error naming it', async () => {
  const query = lake.query(`SELECT count(*) FROM gold.trader_leaderboard_daily`);
  await expect(query).rejects.toThrow(TableNotFoundError);
  await expect(query).rejects.toThrow(/gold\.trader_leaderboard_daily does not exist in the lake/);
});

test('new commits and new tables are visible to the next query of the same lake', async () => {
  await python(
    `
write_deltalake("lake/gold/trader_leaderboard_daily", pa.table({"trader": ["Ann"], "rank": pa.array([1], pa.int32())}))
write_deltalake("lake/gold/ohlcv_1m", pa.table({
    "symbol": ["TSLA"], "minute": pa.array([ts("2024-01-01T10:03:00")], pa.timestamp("us", tz="UTC")),
    "close": pa.array([D("5.0000")], pa.decimal128(18, 4)), "vwap": pa.array([None], pa.decimal128(18, 4)),
}), mode="append")
`,
    root,
  );

  expect((await lake.query(`SELECT trader, rank FROM gold.trader_leaderboard_daily`)).rows).toEqual([
    ['Ann', 1],
  ]);
  expect((await lake.query(`SELECT count(*)::INTEGER FROM gold.ohlcv_1m`)).rows).toEqual([[4]]);
});
