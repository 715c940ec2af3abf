// The dashboard spec: the shipped file is valid and self-consistent, and the loader rejects what Metabase
// or Athena could not show.
import { ConfigError } from '../../../core/errors';
import { loadDashboardSpec, parseDashboardSpec } from '../../../metabase/dashboard-spec';
import { passwordFromSecretString } from '../../../metabase/password-secret';
import { cardBody, visualizationSettings } from '../../../metabase/provisioner';

const spec = loadDashboardSpec();

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
  for (const card of spec.cards) {
    const referenced = new Set(card.sql.match(/\b(?:bronze|silver|gold)\.[a-z0-9_]+/g));
    expect({ id: card.id, tables: [...referenced].sort() }).toEqual({
      id: card.id,
      tables: [...card.tables].sort(),
    });
  }
});

test('cards do not overlap on the 24-column grid', () => {
  const taken = new Map<string, string>();
  for (const card of spec.cards) {
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
      sql: 'SELECT 1 AS n FROM gold.x',
      visualization: { type: 'table' },
      layout: { row: 0, col: 0, sizeX: 24, sizeY: 4 },
    },
  ],
};
const withCard = (patch: object) => ({ ...valid, cards: [{ ...valid.cards[0], ...patch }] });

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
])('rejects %s', (_what, raw, message) => {
  expect(() => parseDashboardSpec(raw)).toThrow(ConfigError);
  expect(() => parseDashboardSpec(raw)).toThrow(message);
});

test('cards become native Metabase questions with chart settings from the visualization', () => {
  const card = spec.cards.find((c) => c.id === 'vwap_per_symbol');
  expect(card).toBeDefined();
  const body = cardBody(card!, 7, 3);
  expect(body).toMatchObject({
    name: card!.title,
    display: 'line',
    collection_id: 3,
    dataset_query: { type: 'native', database: 7, native: { query: card!.sql, 'template-tags': {} } },
    visualization_settings: { 'graph.dimensions': ['minute', 'symbol'], 'graph.metrics': ['vwap'] },
  });
  expect(visualizationSettings({ type: 'table' })).toEqual({});
});

test('the admin password comes from a plain or a JSON secret', () => {
  expect(passwordFromSecretString('s', 'hunter2')).toBe('hunter2');
  expect(passwordFromSecretString('s', '{"username":"admin","password":"p@ss"}')).toBe('p@ss');
  expect(() => passwordFromSecretString('s', '{"username":"admin"}')).toThrow(/no "password" field/);
});
