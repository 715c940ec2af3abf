// The dashboard spec: the shipped file is valid and self-consistent, and the loader rejects what Metabase
// or Athena could not show.
import { ConfigError } from '../../../core/errors';
import { allCards, loadDashboardSpec, parseDashboardSpec } from '../../../metabase/dashboard-spec';
import { passwordFromSecretString } from '../../../metabase/password-secret';
import { cardBody, visualizationSettings } from '../../../metabase/provisioner';

const spec = loadDashboardSpec();

test("the shipped spec's filters: symbol, exchange and time range", () => {
  expect(spec.filters.map((f) => [f.id, f.type])).toEqual([
    ['symbol', 'text'],
    ['exchange', 'text'],
    ['hours', 'number'],
  ]);
});

test('the shipped spec covers every gold table the product shows', () => {
  const tables = new Set(spec.cards.flatMap((c) => c.tables));
  expect([...tables].sort()).toEqual([
    'gold.exchange_activity_hourly',
    'gold.ohlcv_1m',
    'gold.pipeline_health_hourly',
    'gold.price_alerts',
    'gold.trader_leaderboard_daily',
  ]);
});

test("each card's SQL reads exactly the tables it declares", () => {
  for (const card of allCards(spec)) {
    const referenced = new Set(card.sql.match(/\b(?:bronze|silver|gold)\.[a-z0-9_]+/g));
    expect({ id: card.id, tables: [...referenced].sort() }).toEqual({
      id: card.id,
      tables: [...card.tables].sort(),
    });
  }
});

test.each([
  ['dashboard', spec.cards],
  ['drill-down', spec.drilldown?.cards ?? []],
])('%s cards do not overlap on the 24-column grid', (_view, cards) => {
  expect(cards.length).toBeGreaterThan(0);
  const taken = new Map<string, string>();
  for (const card of cards) {
    const { row, col, sizeX, sizeY } = card.layout;
    for (let r = row; r < row + sizeY; r++) {
      for (let c = col; c < col + sizeX; c++) {
        expect(taken.get(`${r},${c}`)).toBeUndefined();
        taken.set(`${r},${c}`, card.id);
      }
    }
  }
});

const valid = {
  name: 'd',
  description: 'd',
  refreshSeconds: 5,
  cards: [
    {
      id: 'a',
      title: 'A',
      description: 'a',
      tables: ['gold.x'],
      sql: 'SELECT 1 AS n, current_date AS d FROM gold.x',
      visualization: { type: 'table' },
      timeColumn: 'd',
      layout: { row: 0, col: 0, sizeX: 24, sizeY: 4 },
    },
  ],
};
const withCard = (patch: object) => ({ ...valid, cards: [{ ...valid.cards[0], ...patch }] });
const symbolFilter = {
  id: 'symbol',
  title: 'Symbol',
  type: 'text',
  valuesSql: 'SELECT DISTINCT symbol FROM gold.x',
};

test('the minimal spec the rejections start from is valid', () => {
  expect(parseDashboardSpec(valid).cards[0]?.id).toBe('a');
  expect(
    parseDashboardSpec({
      ...withCard({ sql: 'SELECT 1 FROM gold.x WHERE TRUE [[AND s = {{symbol}}]]' }),
      filters: [symbolFilter],
    }).filters,
  ).toHaveLength(1);
});

test.each([
  ['a DuckDB-only cast', withCard({ sql: 'SELECT x::DOUBLE FROM gold.x' }), /cards\.0\.sql: use CAST/],
  ['a trailing semicolon', withCard({ sql: 'SELECT 1 FROM gold.x;' }), /semicolon/],
  [
    'a series chart with two metrics',
    withCard({ visualization: { type: 'line', x: 'm', y: ['a', 'b'], series: 's' } }),
    /exactly one y column/,
  ],
  [
    'a card wider than the grid',
    withCard({ layout: { row: 0, col: 12, sizeX: 13, sizeY: 1 } }),
    /24-column grid/,
  ],
  ['duplicate card ids', { ...valid, cards: [valid.cards[0], valid.cards[0]] }, /unique/],
  ['an unknown layer', withCard({ tables: ['platinum.x'] }), /cards\.0\.tables\.0/],
  [
    'a tag that is no filter',
    withCard({ sql: 'SELECT 1 FROM gold.x WHERE TRUE [[AND s = {{sector}}]]' }),
    /cards\.0\.sql: \{\{sector\}\} is not a filter/,
  ],
  [
    'a required filter on the dashboard',
    { ...withCard({ sql: 'SELECT 1 FROM gold.x WHERE s = {{symbol}}' }), filters: [symbolFilter] },
    /\{\{symbol\}\} must be inside an optional \[\[ \]\] clause/,
  ],
  ['money in a made-up currency', withCard({ columns: { n: { currency: 'usd' } } }), /ISO 4217/],
  [
    'a drill-down on no filter',
    {
      ...valid,
      drilldown: {
        column: 'symbol',
        filter: 'symbol',
        name: 'n',
        description: 'd',
        cards: [{ ...valid.cards[0], id: 'b' }],
      },
    },
    /drilldown\.filter: must be one of the filters/,
  ],
])('rejects %s', (_what, raw, message) => {
  expect(() => parseDashboardSpec(raw)).toThrow(ConfigError);
  expect(() => parseDashboardSpec(raw)).toThrow(message);
});

test('money is shown with its currency wherever a card shows money', () => {
  const money = /^(close|open|high|low|vwap|price|prev_close|notional_usd)$/;
  for (const card of allCards(spec)) {
    const selected = [...card.sql.matchAll(/\bAS ([a-z_]+)|\b(?:[a-z]\.)?([a-z_]+)(?=,| FROM)/g)].map(
      (m) => m[1] ?? m[2],
    );
    for (const column of selected.filter((c): c is string => c !== undefined && money.test(c)))
      expect({ card: card.id, column, format: card.columns[column] !== undefined }).toEqual({
        card: card.id,
        column,
        format: true,
      });
  }
});

test('cards become native Metabase questions with chart settings from the visualization', () => {
  const card = spec.cards.find((c) => c.id === 'price_moves');
  expect(card).toBeDefined();
  const body = cardBody(card!, 7, 3, spec.filters);
  expect(body).toMatchObject({
    name: card!.title,
    display: 'line',
    collection_id: 3,
    dataset_query: { type: 'native', database: 7, native: { query: card!.sql } },
    visualization_settings: { 'graph.dimensions': ['minute', 'symbol'], 'graph.metrics': ['price_index'] },
  });
  const tags = (body.dataset_query as { native: { 'template-tags': Record<string, { id: string }> } }).native[
    'template-tags'
  ];
  expect(Object.keys(tags)).toEqual(['hours', 'symbol', 'exchange']);
  // Tag ids are stable across runs, so re-provisioning keeps Metabase's wiring.
  expect(cardBody(card!, 7, 3, spec.filters)).toEqual(body);
  expect(tags['symbol']?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(visualizationSettings({ type: 'table' })).toEqual({});
  expect(
    visualizationSettings(
      { type: 'table' },
      { notional_usd: { currency: 'USD' }, move_pct: { percent: true } },
    ),
  ).toEqual({
    column_settings: {
      '["name","notional_usd"]': { number_style: 'currency', currency: 'USD' },
      '["name","move_pct"]': { suffix: ' %' },
    },
  });
});

test('the admin password comes from a plain or a JSON secret', () => {
  expect(passwordFromSecretString('s', 'hunter2')).toBe('hunter2');
  expect(passwordFromSecretString('s', '{"username":"admin","password":"p@ss"}')).toBe('p@ss');
  expect(() => passwordFromSecretString('s', '{"username":"admin"}')).toThrow(/no "password" field/);
});
