// Contract test of `streamsoft metabase provision` against a fake Metabase that implements the documented
// endpoints: what is created on the first run, and that a second run updates in place, duplicating nothing.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../core/paths';
import { templateTags } from '../../../metabase/card-sql';
import { allCards, loadDashboardSpec, parseDashboardSpec } from '../../../metabase/dashboard-spec';
import { serveLocalDashboard } from '../../../metabase/local-dashboard';
import { MetabaseApiError, MetabaseClient } from '../../../metabase/metabase-client';
import { provisionDashboard, type AthenaConnection } from '../../../metabase/provisioner';
import { startFakeMetabase, type FakeMetabase } from './fake-metabase';

const run = promisify(execFile);
const spec = loadDashboardSpec();
const athena: AthenaConnection = {
  name: 'StreamSoft lake',
  region: 'eu-west-1',
  workgroup: 'streamsoft',
  catalog: 'AwsDataCatalog',
};

let metabase: FakeMetabase;
beforeEach(async () => {
  metabase = await startFakeMetabase('admin@example.com', 's3cret');
});
afterEach(() => metabase.close());

const writes = (fake: FakeMetabase) =>
  fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.replace(/\d+/g, ':id')}`);

test('first run creates the Athena connection, one native question per card and the laid-out dashboard', async () => {
  const api = await MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 's3cret' });
  const summary = await provisionDashboard({ api, spec, athena });

  expect(metabase.databases).toHaveLength(1);
  expect(metabase.databases[0]).toMatchObject({
    name: 'StreamSoft lake',
    engine: 'athena',
    details: { region: 'eu-west-1', workgroup: 'streamsoft', catalog: 'AwsDataCatalog' },
  });
  expect(metabase.cards.map((c) => c.name)).toEqual(allCards(spec).map((c) => c.title));
  for (const [i, c] of allCards(spec).entries()) {
    expect(metabase.cards[i]).toMatchObject({
      display: c.visualization.type === 'candlestick' ? 'line' : c.visualization.type,
      dataset_query: { type: 'native', database: summary.database.id, native: { query: c.sql } },
    });
  }
  const exchange = metabase.cards.find((c) => c.name.startsWith('Purchases and sales'));
  expect(exchange?.visualization_settings).toEqual({
    'graph.dimensions': ['exchange'],
    'graph.metrics': ['purchases', 'sales'],
    'graph.x_axis.title_text': 'exchange',
    'graph.y_axis.title_text': 'trades',
    'stackable.stack_type': 'stacked',
  });
  expect(metabase.dashboards.map((d) => d.name)).toEqual([spec.drilldown?.name, spec.name]);
  const main = metabase.dashboards[1]!;
  const dashcards = main.dashcards as Record<string, number>[];
  expect(dashcards.map((d) => [d.card_id, d.row, d.col, d.size_x, d.size_y])).toEqual(
    spec.cards.map((c, i) => [
      metabase.cards[i]?.id,
      c.layout.row,
      c.layout.col,
      c.layout.sizeX,
      c.layout.sizeY,
    ]),
  );
  expect(summary.dashboard).toEqual({ id: main.id, action: 'created', dashcards: spec.cards.length });
  expect(summary.drilldown).toEqual({
    id: metabase.dashboards[0]?.id,
    action: 'created',
    dashcards: spec.drilldown?.cards.length,
  });
  expect(writes(metabase)).toEqual([
    'POST /api/session',
    'POST /api/database',
    ...allCards(spec).map(() => 'POST /api/card'),
    'POST /api/dashboard',
    'PUT /api/dashboard/:id',
    'POST /api/dashboard',
    'PUT /api/dashboard/:id',
  ]);
});

test('a second run updates everything in place: same ids, no duplicates, dashcards kept', async () => {
  const api = await MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 's3cret' });
  const first = await provisionDashboard({ api, spec, athena });
  const dashcardIds = (metabase.dashboards[1]?.dashcards as { id: number }[]).map((d) => d.id);
  metabase.requests.length = 0;

  const changed = {
    ...spec,
    cards: spec.cards.map((c, i) => (i === 0 ? { ...c, sql: c.sql + ' LIMIT 500' } : c)),
  };
  const second = await provisionDashboard({ api, spec: changed, athena: { ...athena, workgroup: 'other' } });

  expect(metabase.databases).toHaveLength(1);
  expect(metabase.cards).toHaveLength(allCards(spec).length);
  expect(metabase.dashboards).toHaveLength(2);
  expect(second.database).toEqual({ id: first.database.id, action: 'updated' });
  expect(second.cards.map((c) => c.id)).toEqual(first.cards.map((c) => c.id));
  expect(second.cards.every((c) => c.action === 'updated')).toBe(true);
  expect(second.dashboard).toMatchObject({ id: first.dashboard.id, action: 'updated' });
  expect((metabase.dashboards[1]?.dashcards as { id: number }[]).map((d) => d.id)).toEqual(dashcardIds);
  expect(metabase.databases[0]).toMatchObject({ details: { workgroup: 'other' } });
  expect((metabase.cards[0]?.dataset_query as { native: { query: string } }).native.query).toMatch(
    /LIMIT 500$/,
  );
  expect(writes(metabase).filter((w) => w.startsWith('POST'))).toEqual([]);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Metabase bodies are checked field by field
type Body = any;

test("filters become dashboard parameters mapped onto each card's template tags, on both dashboards", async () => {
  const api = await MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 's3cret' });
  await provisionDashboard({ api, spec, athena });
  const [drill, main] = metabase.dashboards as Body[];

  expect(main.parameters).toEqual([
    { id: 'symbol', name: 'Symbol', slug: 'symbol', type: 'category', sectionId: 'string' },
    { id: 'exchange', name: 'Exchange', slug: 'exchange', type: 'category', sectionId: 'string' },
    {
      id: 'hours',
      name: 'Time range',
      slug: 'hours',
      type: 'number/=',
      sectionId: 'number',
      default: [24],
      values_query_type: 'list',
      values_source_type: 'static-list',
      values_source_config: {
        values: [
          [1, 'Last hour'],
          [6, 'Last 6 hours'],
          [24, 'Last 24 hours'],
          [168, 'Last 7 days'],
        ],
      },
    },
  ]);
  expect(drill.parameters.map((p: Body) => p.id)).toEqual(['symbol', 'hours']);
  for (const [dashboard, cards] of [
    [main, spec.cards],
    [drill, spec.drilldown?.cards ?? []],
  ] as const) {
    for (const [i, card] of cards.entries()) {
      const dashcard = dashboard.dashcards[i];
      const question = metabase.cards.find((c) => c.id === dashcard.card_id) as Body;
      const tags = question.dataset_query.native['template-tags'];
      // Every {{tag}} in the SQL is a declared variable and mapped from the dashboard parameter of that name.
      expect(Object.keys(tags).sort()).toEqual(templateTags(card.sql).sort());
      expect(dashcard.parameter_mappings).toEqual(
        templateTags(card.sql).map((tag) => ({
          parameter_id: tag,
          card_id: dashcard.card_id,
          target: ['variable', ['template-tag', tag]],
        })),
      );
    }
  }
  const candles = metabase.cards.find((c) => c.name === spec.drilldown?.cards[0]?.title) as Body;
  expect(candles.dataset_query.native['template-tags'].symbol).toMatchObject({
    name: 'symbol',
    'display-name': 'Symbol',
    type: 'text',
    required: true,
  });
  expect(metabase.cards.find((c) => c.name === spec.cards[0]?.title)).toMatchObject({
    dataset_query: {
      native: { 'template-tags': { symbol: { required: false }, hours: { type: 'number' } } },
    },
  });
  // Clicking a symbol on the price chart or the alerts table opens the drill-down dashboard with it.
  const click = {
    type: 'link',
    linkType: 'dashboard',
    targetId: drill.id,
    parameterMapping: {
      symbol: {
        id: 'symbol',
        source: { type: 'column', id: 'symbol', name: 'symbol' },
        target: { type: 'parameter', id: 'symbol' },
      },
    },
  };
  const byCard = (id: string): Body => main.dashcards[spec.cards.findIndex((c) => c.id === id)];
  expect(byCard('price_moves').visualization_settings).toEqual({ click_behavior: click });
  expect(byCard('price_alerts').visualization_settings).toEqual({
    column_settings: { '["name","symbol"]': { click_behavior: click } },
  });
});

test('the spec is the single source: a card added to it appears on the local page and in Metabase', async () => {
  const added = {
    ...spec.cards[0]!,
    id: 'trade_count_per_symbol',
    title: 'Trades per symbol',
    sql: 'SELECT symbol, sum(trade_count) AS trades, max(minute) AS minute FROM gold.ohlcv_1m WHERE TRUE [[AND exchange = {{exchange}}]] GROUP BY symbol ORDER BY symbol',
    visualization: { type: 'bar' as const, x: 'symbol', y: ['trades'], stacked: false, tooltip: [] },
    columns: {},
    layout: { row: 24, col: 0, sizeX: 24, sizeY: 5 },
  };
  const extended = parseDashboardSpec({ ...spec, cards: [...spec.cards, added] });
  const api = await MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 's3cret' });
  await provisionDashboard({ api, spec: extended, athena });
  const local = await serveLocalDashboard({
    dataDir: path.join(REPO_ROOT, 'no-such-dir'),
    port: 0,
    spec: extended,
  });
  try {
    const html = await (await fetch(local.url)).text();
    expect(html).toContain('id="card-trade_count_per_symbol"');
    expect(html).toContain('grid-row: 25 / span 5; grid-column: 1 / span 24;');
  } finally {
    await local.close();
  }
  const question = metabase.cards.find((c) => c.name === 'Trades per symbol') as Body;
  const dashcard = (metabase.dashboards[1] as Body).dashcards.find((d: Body) => d.card_id === question.id);
  expect(dashcard).toMatchObject({
    row: 24,
    col: 0,
    size_x: 24,
    size_y: 5,
    parameter_mappings: [
      { parameter_id: 'exchange', card_id: question.id, target: ['variable', ['template-tag', 'exchange']] },
    ],
  });
});

test("the fake holds to Metabase's request schemas: an undeclared key or an empty dashcard is a 400", async () => {
  const api = await MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 's3cret' });
  await provisionDashboard({ api, spec, athena });
  const main = metabase.dashboards[1] as Body;
  const [dashcard] = main.dashcards as Body[];
  const put = (body: Body) => api.put(`/api/dashboard/${main.id}`, body);

  // Metabase v0.64 would drop these keys silently; the fake rejects them so a misspelling cannot pass.
  await expect(put({ dashcards: [{ ...dashcard, parameter_mapping: [] }] })).rejects.toThrow(
    /HTTP 400: dashcard \d+: parameter_mapping not in Metabase's schema/,
  );
  await expect(
    put({ parameters: [{ ...main.parameters[0], values_source: 'static-list' }] }),
  ).rejects.toThrow(/HTTP 400: parameter: values_source not in Metabase's schema/);
  await expect(put({ name: main.name, layout: [] })).rejects.toThrow(
    /HTTP 400: PUT \/api\/dashboard\/:id: layout/,
  );
  await expect(put({ dashcards: [{ ...dashcard, size_x: 0 }] })).rejects.toThrow(/HTTP 400: row and col/);
  await expect(put({ dashcards: [dashcard, dashcard] })).rejects.toThrow(
    /HTTP 400: dashcard ids must be unique/,
  );
  // A rejected update changes nothing.
  expect((metabase.dashboards[1] as Body).dashcards).toEqual(main.dashcards);
});

test('wrong credentials are a clear error naming the endpoint and status', async () => {
  const login = MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 'wrong' });
  await expect(login).rejects.toThrow(MetabaseApiError);
  await expect(login).rejects.toThrow(/POST \/api\/session failed with HTTP 401: Password did not match/);
});

test('the CLI provisions idempotently and reports what it did as JSON', async () => {
  const args = [
    path.join(REPO_ROOT, 'bin', 'streamsoft.js'),
    'metabase',
    'provision',
    '--url',
    metabase.url,
    '--user',
    'admin@example.com',
    '--region',
    'eu-west-1',
    '--json',
  ];
  const env = { ...process.env, STREAMSOFT_PASSWORD: 's3cret' };
  const first = JSON.parse((await run(process.execPath, args, { env })).stdout);
  const second = JSON.parse((await run(process.execPath, args, { env })).stdout);

  expect(first.dashboard.action).toBe('created');
  expect(second.dashboard).toEqual({ ...first.dashboard, action: 'updated' });
  expect(metabase.cards).toHaveLength(allCards(spec).length);
  expect(metabase.dashboards).toHaveLength(2);
});

test('the CLI refuses to run without a password source, exit 2', async () => {
  const args = [
    path.join(REPO_ROOT, 'bin', 'streamsoft.js'),
    'metabase',
    'provision',
    '--url',
    metabase.url,
    '--user',
    'a',
    '--region',
    'eu-west-1',
  ];
  const failed = await run(process.execPath, args).catch((error: { code: number; stderr: string }) => error);
  expect(failed).toMatchObject({ code: 2 });
  expect((failed as { stderr: string }).stderr).toMatch(
    /--password: give exactly one of --password or --password-secret/,
  );
});
