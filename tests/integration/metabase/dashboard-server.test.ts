// The local dashboard over real Delta tables: the page, the spec, each card's rows under the filters
// (checked against what the fixture implies), the drill-down, "no data yet" for empty and missing tables,
// and the Chart.js asset.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allCards, loadDashboardSpec } from '../../../metabase/dashboard-spec';
import { serveLocalDashboard } from '../../../metabase/local-dashboard';
import type { DashboardServer } from '../../../metabase/dashboard-server';
import { python } from '../lake/delta-fixtures';
import { writeGoldFixture } from './gold-fixture';

const spec = loadDashboardSpec();
let dataDir: string;
let emptyDir: string;
let dashboard: DashboardServer;
let emptyDashboard: DashboardServer;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-'));
  emptyDir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-empty-'));
  await writeGoldFixture(dataDir);
  // One table created with no rows yet; the others not created at all.
  await python(
    `DeltaTable.create("lake/gold/price_alerts", schema=pa.schema([("symbol", pa.string()), ("timestamp", pa.timestamp("us", tz="UTC")), ("exchange", pa.string()), ("direction", pa.string()), ("prev_close", pa.decimal128(38, 4)), ("price", pa.decimal128(38, 4)), ("move_pct", pa.decimal128(18, 4)), ("crossing_trades", pa.int64()), ("max_abs_move_pct", pa.decimal128(18, 4))]))`,
    emptyDir,
  );
  dashboard = await serveLocalDashboard({ dataDir, port: 0 });
  emptyDashboard = await serveLocalDashboard({ dataDir: emptyDir, port: 0 });
});

afterAll(async () => {
  await dashboard?.close();
  await emptyDashboard?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- card payloads are checked field by field
async function getJson(server: DashboardServer, route: string): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(route, server.url));
  return { status: response.status, body: await response.json() };
}

async function card(id: string, query = ''): Promise<Record<string, unknown>[]> {
  const { status, body } = await getJson(dashboard, `/api/cards/${id}${query}`);
  expect({ status, state: body.status, message: body.message }).toEqual({
    status: 200,
    state: 'ok',
    message: undefined,
  });
  return body.rows;
}

test('serves the page on 127.0.0.1 with one placeholder per card and the chart library', async () => {
  expect(new URL(dashboard.url).hostname).toBe('127.0.0.1');
  const page = await fetch(dashboard.url);
  const html = await page.text();

  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  for (const c of spec.cards) expect(html).toContain(`id="card-${c.id}"`);
  const chart = await fetch(new URL('/assets/chart.umd.js', dashboard.url));
  expect(chart.status).toBe(200);
  expect(await chart.text()).toMatch(/Chart\.js v4/);
  expect((await fetch(new URL('/assets/dashboard.js', dashboard.url))).status).toBe(200);
  expect((await getJson(dashboard, '/api/dashboard')).body).toEqual(JSON.parse(JSON.stringify(spec)));
});

/** The fixture's close of symbol S<i> at 10:0<m> (gold-fixture.ts), and its 08:00 bar of S0. */
const close = (i: number, m: number): number => Number(`${10 + i}.${m}`);

test('price moves: each symbol indexed to 100 at its first minute in the window, top 8 by notional', async () => {
  const rows = await card('price_moves', '?hours=1');
  const symbols = [...new Set(rows.map((r) => r.symbol))].sort();

  expect(symbols).toEqual(['S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9']);
  expect(rows).toHaveLength(24);
  for (const row of rows) {
    const i = Number(String(row.symbol).slice(1));
    const m = Number(String(row.minute).slice(15, 16));
    expect(row.currency).toBe('USD');
    expect(row.close).toBeCloseTo(close(i, m), 10);
    expect(row.price_index).toBeCloseTo((100 * close(i, m)) / close(i, 0), 10);
  }
});

test('the time range filter defaults to 24 hours, which takes in the 08:00 bar of S0', async () => {
  const rows = await card('price_moves');
  const s0 = rows.filter((r) => r.symbol === 'S0');

  expect([...new Set(rows.map((r) => r.symbol))].sort()).toEqual([
    'S0',
    'S3',
    'S4',
    'S5',
    'S6',
    'S7',
    'S8',
    'S9',
  ]);
  expect(s0.map((r) => r.minute)).toEqual([
    '2024-05-01 08:00:00+00',
    '2024-05-01 10:00:00+00',
    '2024-05-01 10:01:00+00',
    '2024-05-01 10:02:00+00',
  ]);
  expect(s0[0]?.price_index).toBe(100);
  expect(s0[1]?.price_index).toBeCloseTo((100 * 10) / 9, 10);
});

test('close and VWAP of the most traded symbol', async () => {
  expect(await card('price_vs_vwap', '?hours=1')).toEqual([
    { minute: '2024-05-01 10:00:00+00', symbol: 'S9', currency: 'USD', close: 19, vwap: 19.05 },
    { minute: '2024-05-01 10:01:00+00', symbol: 'S9', currency: 'USD', close: 19.1, vwap: 19.15 },
    { minute: '2024-05-01 10:02:00+00', symbol: 'S9', currency: 'USD', close: 19.2, vwap: 19.25 },
  ]);
});

test('a symbol filter narrows every card that shows symbols to that symbol', async () => {
  expect(new Set((await card('price_moves', '?symbol=S4')).map((r) => r.symbol))).toEqual(new Set(['S4']));
  expect(new Set((await card('price_vs_vwap', '?symbol=S4')).map((r) => r.symbol))).toEqual(new Set(['S4']));
  const alerts = await card('price_alerts', '?symbol=S9');
  expect(alerts.map((r) => r.trade_time)).toEqual(
    [24, 19, 14, 9, 4].map((m) => `2024-05-01 09:${String(m).padStart(2, '0')}:30+00`),
  );
  expect(new Set(alerts.map((r) => r.symbol))).toEqual(new Set(['S9']));
});

test('an exchange filter narrows exchange activity; a value nothing matches is "no data", not an error', async () => {
  expect(await card('exchange_activity', '?exchange=LSE')).toEqual([
    { exchange: 'LSE', purchases: '2', sales: '5', newest_hour: '2024-05-01 10:00:00+00' },
  ]);
  const { status, body } = await getJson(dashboard, '/api/cards/price_moves?exchange=LSE');
  expect({ status, state: body.status }).toEqual({ status: 200, state: 'no_data' });
});

test('filter values are bound, never spliced into the SQL', async () => {
  for (const value of ["S1' OR '1'='1", "S1'; DROP VIEW gold.ohlcv_1m; --"]) {
    const { status, body } = await getJson(
      dashboard,
      `/api/cards/price_moves?symbol=${encodeURIComponent(value)}`,
    );
    expect({ status, state: body.status }).toEqual({ status: 200, state: 'no_data' });
  }
  expect((await card('price_moves', '?symbol=S1')).length).toBe(3);
});

test('bad filters are a 400 with a one-line reason', async () => {
  const cases: [string, RegExp][] = [
    ['?sector=tech', /^sector: not a filter/],
    ['?hours=5', /^hours: must be one of 1, 6, 24, 168, got "5"$/],
    [`?symbol=${'x'.repeat(65)}`, /^symbol: longer than 64 characters$/],
  ];
  for (const [query, message] of cases) {
    const { status, body } = await getJson(dashboard, `/api/cards/price_moves${query}`);
    expect({ query, status }).toEqual({ query, status: 400 });
    expect(body.error).toMatch(message);
  }
});

test('every card reports the newest time among its rows', async () => {
  const { body } = await getJson(dashboard, '/api/cards/price_moves?hours=1');
  expect(body.newest).toBe('2024-05-01 10:02:00+00');
  expect((await getJson(dashboard, '/api/cards/trader_leaderboard')).body.newest).toBe('2024-05-01');
});

test('the filter endpoint lists the values to choose from', async () => {
  expect((await getJson(dashboard, '/api/filters')).body).toEqual({
    symbol: ['S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9'],
    exchange: ['NYSE'],
    hours: [1, 6, 24, 168],
  });
  expect((await getJson(emptyDashboard, '/api/filters')).body).toEqual({
    symbol: [],
    exchange: [],
    hours: [1, 6, 24, 168],
  });
});

test('drill-down: a page per symbol, whose cards require the symbol and show its candles, volume and alerts', async () => {
  const page = await fetch(new URL('/symbol/S9', dashboard.url));
  const html = await page.text();
  expect(page.status).toBe(200);
  for (const c of spec.drilldown?.cards ?? []) expect(html).toContain(`id="card-${c.id}"`);
  expect(html).toContain('data-drilldown-value="S9"');
  expect(html).not.toContain('id="card-price_moves"');

  const missing = await getJson(dashboard, '/api/cards/symbol_candles');
  expect(missing).toEqual({ status: 400, body: { error: 'symbol: a value is required' } });
  const candles = await card('symbol_candles', '?symbol=S9');
  expect(candles.map((r) => [r.minute, r.open, r.high, r.low, r.close, r.vwap])).toEqual([
    ['2024-05-01 10:00:00+00', 19, 19, 19, 19, 19.05],
    ['2024-05-01 10:01:00+00', 19.1, 19.1, 19.1, 19.1, 19.15],
    ['2024-05-01 10:02:00+00', 19.2, 19.2, 19.2, 19.2, 19.25],
  ]);
  expect((await card('symbol_volume', '?symbol=S9')).map((r) => r.volume)).toEqual(['10', '10', '10']);
  expect((await card('symbol_alerts', '?symbol=S9')).map((r) => r.trade_time)).toHaveLength(5);
});

test('purchases and sales per exchange over the last 24 hours', async () => {
  expect(await card('exchange_activity')).toEqual([
    { exchange: 'LSE', purchases: '2', sales: '5', newest_hour: '2024-05-01 10:00:00+00' },
    { exchange: 'NYSE', purchases: '9', sales: '7', newest_hour: '2024-05-01 10:00:00+00' },
  ]);
});

test('top 10 traders of the latest day', async () => {
  const rows = await card('trader_leaderboard');
  expect(rows).toHaveLength(10);
  const day = '2024-05-01';
  expect(rows[0]).toEqual({
    rank: '1',
    person_name: 'Trader A',
    trades: '20',
    notional_usd: '12000.5000',
    trade_date: day,
  });
  expect(rows[9]).toEqual({
    rank: '10',
    person_name: 'Trader J',
    trades: '11',
    notional_usd: '3000.5000',
    trade_date: day,
  });
});

test('the 20 most recent price alerts, newest first', async () => {
  const rows = await card('price_alerts');
  expect(rows).toHaveLength(20);
  expect(rows[0]).toEqual({
    trade_time: '2024-05-01 09:24:30+00',
    symbol: 'S9',
    exchange: 'NYSE',
    direction: 'up',
    currency: 'USD',
    prev_close: '10.0000',
    price: '11.0000',
    move_pct: '10.0000',
    crossing_trades: '2',
    max_abs_move_pct: '11.2500',
  });
  expect(rows[19]?.trade_time).toBe('2024-05-01 09:05:30+00');
});

test('pipeline health: records per stage and ingest lag in seconds per hour', async () => {
  expect(await card('pipeline_records')).toEqual([
    {
      hour: '2024-05-01 09:00:00+00',
      bronze_rows: '100',
      silver_rows: '94',
      quarantined: '2',
      duplicates_dropped: '3',
      rejected: '1',
    },
    {
      hour: '2024-05-01 10:00:00+00',
      bronze_rows: '50',
      silver_rows: '48',
      quarantined: '1',
      duplicates_dropped: '0',
      rejected: '1',
    },
  ]);
  expect(await card('ingest_lag')).toEqual([
    { hour: '2024-05-01 09:00:00+00', ingest_lag_p50_s: 1.5, ingest_lag_p95_s: 4 },
    { hour: '2024-05-01 10:00:00+00', ingest_lag_p50_s: 0.8, ingest_lag_p95_s: 2.1 },
  ]);
});

test('every card returns the columns its visualization, formats and time column name', async () => {
  for (const c of allCards(spec)) {
    const rows = await card(
      c.id,
      c.sql.includes('WHERE symbol = {{symbol}}') || c.id === 'symbol_alerts' ? '?symbol=S9' : '',
    );
    expect(Object.keys(rows[0] ?? {})).toContain(c.timeColumn);
    for (const [column, format] of Object.entries(c.columns)) {
      expect(Object.keys(rows[0] ?? {})).toContain(column);
      if ('currencyColumn' in format) expect(rows[0]?.[format.currencyColumn]).toBe('USD');
    }
    if (c.visualization.type === 'table') continue;
    const v = c.visualization;
    const named =
      v.type === 'candlestick'
        ? [v.x, v.open, v.high, v.low, v.close, ...v.overlay]
        : [...('x' in v ? [v.x] : []), ...v.y, ...('series' in v && v.series ? [v.series] : [])];
    for (const column of named) expect(Object.keys(rows[0] ?? {})).toContain(column);
  }
});

test('empty and missing tables show "no data yet", never an error', async () => {
  for (const c of allCards(spec)) {
    const { status, body } = await getJson(emptyDashboard, `/api/cards/${c.id}?symbol=S1`);
    expect({ id: c.id, status, state: body.status }).toEqual({ id: c.id, status: 200, state: 'no_data' });
    expect(body.message).toMatch(/no data yet/);
  }
});

test('an unknown card is 404, and only GET is served', async () => {
  expect((await getJson(dashboard, '/api/cards/nope')).status).toBe(404);
  expect((await fetch(new URL('/api/cards/price_alerts', dashboard.url), { method: 'POST' })).status).toBe(
    405,
  );
});

test('rows written after start appear on the next request', async () => {
  await python(
    `write_deltalake("lake/gold/pipeline_health_hourly", pa.table({"hour": pa.array([ts("2024-05-01T11:00:00")], pa.timestamp("us", tz="UTC")), "bronze_rows": [7], "quarantined": [0], "duplicates_dropped": [0], "rejected": [0], "silver_rows": [7], "ingest_lag_p50_ms": [100], "ingest_lag_p95_ms": [200]}), mode="append")`,
    dataDir,
  );
  await new Promise((resolve) => setTimeout(resolve, 2100)); // the lake re-reads logs at most every 2 s

  const rows = await card('pipeline_records');
  expect(rows.at(-1)).toMatchObject({ hour: '2024-05-01 11:00:00+00', bronze_rows: '7' });
});
