// The local dashboard in a real browser (system Chromium through playwright-core) over the seeded gold
// lake: every tile draws data, the page logs no errors, a symbol filter changes every tile that uses it,
// the drill-down opens, and the page works at desktop and phone widths. Screenshots go to
// test-artifacts/browser/ (or $STREAMSOFT_ARTIFACTS_DIR) for people to look at.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../core/paths';
import { templateTags } from '../../metabase/card-sql';
import { loadDashboardSpec } from '../../metabase/dashboard-spec';
import type { DashboardServer } from '../../metabase/dashboard-server';
import { serveLocalDashboard } from '../../metabase/local-dashboard';
import { writeGoldFixture } from '../integration/metabase/gold-fixture';
import { chromiumExecutable } from '../support/chromium';

const spec = loadDashboardSpec();
const ARTIFACTS =
  process.env['STREAMSOFT_ARTIFACTS_DIR'] ?? path.join(REPO_ROOT, 'test-artifacts', 'browser');

let dataDir: string;
let dashboard: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  const executablePath = chromiumExecutable();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-browser-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  [browser] = await Promise.all([
    chromium.launch({ executablePath, args: ['--no-sandbox'] }),
    writeGoldFixture(dataDir),
  ]);
  dashboard = await serveLocalDashboard({ dataDir, port: 0 });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Tile {
  id: string;
  status: string;
  /** Non-null values across the chart's datasets. */
  points: number;
  /** Share of the canvas's pixels that are painted. */
  painted: number;
  tableRows: number;
  age: string;
  fingerprint: string;
  left: number;
  right: number;
}

/** Runs in the page: what each tile shows. */
const PROBE_TILES = `Array.from(document.querySelectorAll('section.card')).map((section) => {
  const canvas = section.querySelector('canvas');
  const chart = canvas ? window.Chart.getChart(canvas) : undefined;
  let painted = 0;
  if (canvas) {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) count++;
    painted = count / (canvas.width * canvas.height);
  }
  const rect = section.getBoundingClientRect();
  return {
    id: section.dataset.card,
    status: section.dataset.status,
    points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0) : 0,
    painted,
    tableRows: section.querySelectorAll('tbody tr').length,
    age: section.querySelector('[data-age]').textContent,
    fingerprint: chart ? JSON.stringify(chart.data.datasets.map((d) => [d.label, d.data])) : section.querySelector('.body').textContent,
    left: rect.left,
    right: rect.right,
  };
})`;

/** Opens a page that records console errors and uncaught exceptions. */
async function open(width: number, route: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: width > 800 ? 1000 : 844 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(new URL(route, dashboard.url).toString());
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 15000 });
  return { page, errors };
}

async function tiles(page: Page): Promise<Tile[]> {
  return page.evaluate<Tile[]>(PROBE_TILES);
}

function expectDrawn(tile: Tile, chart: boolean): void {
  expect({ id: tile.id, status: tile.status }).toEqual({ id: tile.id, status: 'ok' });
  if (chart) {
    expect({ id: tile.id, hasPoints: tile.points > 0 }).toEqual({ id: tile.id, hasPoints: true });
    // Axes and labels alone paint well under 1 % of a tile; lines, bars and candles more.
    expect({ id: tile.id, painted: tile.painted > 0.01 }).toEqual({ id: tile.id, painted: true });
  } else {
    expect({ id: tile.id, hasRows: tile.tableRows > 0 }).toEqual({ id: tile.id, hasRows: true });
  }
  // The fixture's newest rows are from 2024-05-01 (dates) or that day's 10:02 UTC (times).
  const match = /^newest data ([\d,]+) days old \((2024-05-01|05-01 \d{2}:\d{2}) UTC\)$/.exec(tile.age);
  expect({ id: tile.id, age: tile.age, matches: match !== null }).toEqual({
    id: tile.id,
    age: tile.age,
    matches: true,
  });
  const days = (Date.now() - Date.parse('2024-05-01T10:00:00Z')) / 86_400_000;
  expect(Math.abs(Number(match?.[1]?.replace(/,/g, '')) - days)).toBeLessThanOrEqual(1);
}

test('at 1400 px every tile draws its data, with grouped money, exact tooltips and its age', async () => {
  const { page, errors } = await open(1400, '/');
  const shown = await tiles(page);

  expect(shown.map((t) => t.id)).toEqual(spec.cards.map((c) => c.id));
  for (const card of spec.cards)
    expectDrawn(
      shown.find((t) => t.id === card.id)!,
      card.visualization.type !== 'table',
    );
  expect(await page.textContent('#card-trader_leaderboard tbody tr:first-child td:nth-child(4)')).toBe(
    '$12,000.50',
  );
  // The newest alert: its first trade's move, how many trades crossed in its minute, the largest move.
  expect(await page.textContent('#card-price_alerts tbody tr:first-child td:nth-child(8)')).toBe('10.00 %');
  expect(await page.textContent('#card-price_alerts tbody tr:first-child td:nth-child(9)')).toBe('2');
  expect(await page.textContent('#card-price_alerts tbody tr:first-child td:nth-child(10)')).toBe('11.25 %');
  const tooltip = await page.evaluate<string[]>(`(() => {
    const chart = window.Chart.getChart(document.querySelector('#card-price_moves canvas'));
    chart.tooltip.setActiveElements([{ datasetIndex: 0, index: 1 }], { x: 0, y: 0 });
    chart.update();
    return chart.tooltip.body.flatMap((b) => b.lines);
  })()`);
  // S0 at 10:00 closed at 10 after 9 at 08:00, the window's start: index 100 * 10 / 9, to six decimals.
  expect(tooltip).toEqual(['S0: 111.111111 · close $10.00']);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-1400.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

test('a symbol filter changes every tile that uses it; one hour of data still draws a point', async () => {
  const { page, errors } = await open(1400, '/?hours=1');
  const before = await tiles(page);
  const single = await page.evaluate<number[]>(`(() => {
    const chart = window.Chart.getChart(document.querySelector('#card-ingest_lag canvas'));
    return chart.data.datasets.map((d, i) => d.data.filter((v) => v !== null).length === 1 ? chart.getDatasetMeta(i).data[0].options.radius : -1);
  })()`);
  expect(single).toEqual([4, 4]);

  // S1 is neither the most traded symbol nor among the eight charted, and has alerts.
  await page.selectOption('#filter-symbol', 'S1');
  await page.waitForSelector('body[data-refreshes="2"]', { timeout: 15000 });
  const after = await tiles(page);

  expect(page.url()).toMatch(/[?&]symbol=S1(&|$)/);
  const filtered = spec.cards.filter((c) => templateTags(c.sql).includes('symbol')).map((c) => c.id);
  expect(filtered.length).toBeGreaterThanOrEqual(3);
  for (const id of filtered) {
    const [was, is] = [before.find((t) => t.id === id)!, after.find((t) => t.id === id)!];
    expect({ id, changed: was.fingerprint !== is.fingerprint }).toEqual({ id, changed: true });
    expect({ id, status: is.status }).toEqual({ id, status: 'ok' });
  }
  for (const tile of after.filter((t) => !filtered.includes(t.id)))
    expect({ id: tile.id, fingerprint: tile.fingerprint }).toEqual({
      id: tile.id,
      fingerprint: before.find((t) => t.id === tile.id)?.fingerprint,
    });
  expect(after.find((t) => t.id === 'price_moves')?.fingerprint).toMatch(/^\[\["S1",\[100,/);
  expect(errors).toEqual([]);
  await page.close();
});

test('clicking a symbol opens its view: candles with VWAP, volume per minute and its alerts', async () => {
  const { page, errors } = await open(1400, '/?hours=1');
  await Promise.all([
    page.waitForURL(/\/symbol\/S9\?hours=1$/),
    page.click('#card-price_moves a[data-drilldown="S9"]'),
  ]);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 15000 });
  const shown = await tiles(page);

  expect(await page.textContent('h1')).toContain('S9');
  expect(shown.map((t) => t.id)).toEqual(spec.drilldown?.cards.map((c) => c.id));
  for (const tile of shown) expectDrawn(tile, tile.id !== 'symbol_alerts');
  const candles = await page.evaluate<
    { type: string; label: string; data: unknown[]; drawn: number[] }[]
  >(`(() => {
    const chart = window.Chart.getChart(document.querySelector('#card-symbol_candles canvas'));
    return chart.data.datasets.map((d, i) => ({
      type: d.type,
      label: d.label,
      data: d.data,
      drawn: chart.getDatasetMeta(i).data.map((el) => (d.type === 'bar' ? Math.abs(el.base - el.y) : el.y)),
    }));
  })()`);
  expect(candles.map((d) => [d.type, d.label, d.data.length])).toEqual([
    ['bar', 'high–low', 3],
    ['bar', 'open–close', 3],
    ['line', 'vwap', 3],
  ]);
  expect(candles[2]?.data).toEqual([19.05, 19.15, 19.25]);
  // Every candle has a visible wick and body even where the minute had one price; the price axis does
  // not start at zero, so VWAP's rise from 19.05 to 19.25 spans a good part of the chart's height.
  for (const bars of candles.slice(0, 2)) for (const px of bars.drawn) expect(px).toBeGreaterThanOrEqual(2);
  const [first, , last] = candles[2]?.drawn ?? [];
  expect((first ?? 0) - (last ?? 0)).toBeGreaterThan(20);
  expect(shown.find((t) => t.id === 'symbol_alerts')?.tableRows).toBe(5);
  await page.screenshot({ path: path.join(ARTIFACTS, 'drilldown-1400.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

test('at 390 px the tiles stack in one column, all drawn, with nothing wider than the screen', async () => {
  const { page, errors } = await open(390, '/');
  const shown = await tiles(page);

  for (const card of spec.cards) {
    const tile = shown.find((t) => t.id === card.id)!;
    expectDrawn(tile, card.visualization.type !== 'table');
    expect({ id: tile.id, left: tile.left >= 0, right: tile.right <= 390 }).toEqual({
      id: tile.id,
      left: true,
      right: true,
    });
  }
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-390.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

test('when the page cannot load its filters, the header says so in place of the refresh time', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const uncaught: string[] = [];
  page.on('pageerror', (error) => uncaught.push(error.message));
  await page.route('**/api/filters', (route) => route.fulfill({ status: 500, body: 'not json' }));
  await page.goto(new URL('/', dashboard.url).toString());
  await page.waitForSelector('body[data-status="error"]', { timeout: 15000 });

  expect(await page.textContent('#updated')).toMatch(/^Dashboard could not load: /);
  expect(await page.getAttribute('#updated', 'class')).toBe('updated error');
  expect(await page.getAttribute('body', 'data-loaded')).toBeNull();
  expect(uncaught).toEqual([]);
  await page.close();
});
