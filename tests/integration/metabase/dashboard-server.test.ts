// The local dashboard over real Delta tables: the page, the spec, each card's rows (checked against what
// the fixture implies), "no data yet" for empty and missing tables, and the Chart.js asset.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDashboardSpec } from '../../../metabase/dashboard-spec';
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
    `DeltaTable.create("lake/gold/price_alerts", schema=pa.schema([("symbol", pa.string()), ("timestamp", pa.timestamp("us", tz="UTC")), ("exchange", pa.string()), ("direction", pa.string()), ("prev_close", pa.decimal128(38, 4)), ("price", pa.decimal128(38, 4)), ("move_pct", pa.decimal128(18, 4))]))`,
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

async function card(id: string): Promise<Record<string, unknown>[]> {
  const { status, body } = await getJson(dashboard, `/api/cards/${id}`);
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

test('VWAP per symbol: the eight symbols with most notional in the last hour, per minute', async () => {
  const rows = await card('vwap_per_symbol');
  const symbols = [...new Set(rows.map((r) => r.symbol))].sort();

  expect(symbols).toEqual(['S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9']);
  expect(rows).toHaveLength(24);
  expect(rows[0]).toEqual({ minute: '2024-05-01 10:00:00+00', symbol: 'S2', vwap: 12.05 });
  expect(rows[23]).toEqual({ minute: '2024-05-01 10:02:00+00', symbol: 'S9', vwap: 19.25 });
});

test('close and VWAP of the most traded symbol', async () => {
  expect(await card('price_vs_vwap')).toEqual([
    { minute: '2024-05-01 10:00:00+00', symbol: 'S9', close: 19, vwap: 19.05 },
    { minute: '2024-05-01 10:01:00+00', symbol: 'S9', close: 19.1, vwap: 19.15 },
    { minute: '2024-05-01 10:02:00+00', symbol: 'S9', close: 19.2, vwap: 19.25 },
  ]);
});

test('purchases and sales per exchange over the last 24 hours', async () => {
  expect(await card('exchange_activity')).toEqual([
    { exchange: 'LSE', purchases: '2', sales: '5' },
    { exchange: 'NYSE', purchases: '9', sales: '7' },
  ]);
});

test('top 10 traders of the latest day', async () => {
  const rows = await card('trader_leaderboard');
  expect(rows).toHaveLength(10);
  expect(rows[0]).toEqual({ rank: '1', person_name: 'Trader A', trades: '20', notional_usd: '12000.5000' });
  expect(rows[9]).toEqual({ rank: '10', person_name: 'Trader J', trades: '11', notional_usd: '3000.5000' });
});

test('the 20 most recent price alerts, newest first', async () => {
  const rows = await card('price_alerts');
  expect(rows).toHaveLength(20);
  expect(rows[0]).toEqual({
    trade_time: '2024-05-01 09:24:30+00',
    symbol: 'S1',
    exchange: 'NYSE',
    direction: 'up',
    prev_close: '10.0000',
    price: '11.0000',
    move_pct: '10.0000',
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

test('every chart card returns the columns its visualization names', async () => {
  for (const c of spec.cards) {
    if (c.visualization.type === 'table') continue;
    const rows = await card(c.id);
    const v = c.visualization;
    const named = [...('x' in v ? [v.x] : []), ...v.y, ...('series' in v && v.series ? [v.series] : [])];
    for (const column of named) expect(Object.keys(rows[0] ?? {})).toContain(column);
  }
});

test('empty and missing tables show "no data yet", never an error', async () => {
  for (const c of spec.cards) {
    const { status, body } = await getJson(emptyDashboard, `/api/cards/${c.id}`);
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
