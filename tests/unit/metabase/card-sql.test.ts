// Card SQL in Metabase's template syntax becomes DuckDB SQL with bound parameters, and filter values from a
// query string are checked against the spec's filters.
import { ConfigError } from '../../../core/errors';
import { bindCardSql, requiredTags, templateTags } from '../../../metabase/card-sql';
import { loadDashboardSpec } from '../../../metabase/dashboard-spec';
import { filterValuesFromQuery } from '../../../metabase/filter-values';

const sql =
  'SELECT * FROM gold.t WHERE s = {{symbol}} [[AND e = {{exchange}}]] [[AND h > {{ hours }} AND e2 = {{exchange}}]]';

test('tags are listed once each; those outside optional clauses are required', () => {
  expect(templateTags(sql)).toEqual(['symbol', 'exchange', 'hours']);
  expect(requiredTags(sql)).toEqual(['symbol']);
});

test('an optional clause is kept only when every tag in it has a value; values become $name parameters', () => {
  expect(bindCardSql(sql, { symbol: "S1' OR 1=1 --", exchange: 'NYSE' })).toEqual({
    sql: 'SELECT * FROM gold.t WHERE s = $symbol AND e = $exchange ',
    params: { symbol: "S1' OR 1=1 --", exchange: 'NYSE' },
  });
  expect(bindCardSql(sql, { symbol: 'S1', exchange: 'NYSE', hours: 6 })).toEqual({
    sql: 'SELECT * FROM gold.t WHERE s = $symbol AND e = $exchange AND h > $hours AND e2 = $exchange',
    params: { symbol: 'S1', exchange: 'NYSE', hours: 6 },
  });
  expect(bindCardSql(sql, { symbol: 'S1', exchange: '' }).sql).toBe(
    'SELECT * FROM gold.t WHERE s = $symbol  ',
  );
});

test('a required tag without a value is a ConfigError naming it', () => {
  expect(() => bindCardSql(sql, {})).toThrow(ConfigError);
  expect(() => bindCardSql(sql, {})).toThrow('symbol: a value is required');
});

test('query strings: defaults for number filters, unknown names and off-list numbers rejected', () => {
  const { filters } = loadDashboardSpec();
  expect(filterValuesFromQuery(filters, new URLSearchParams(''))).toEqual({ hours: 24 });
  expect(filterValuesFromQuery(filters, new URLSearchParams('symbol=S1&exchange=&hours=6'))).toEqual({
    symbol: 'S1',
    hours: 6,
  });
  expect(() => filterValuesFromQuery(filters, new URLSearchParams('hours=abc'))).toThrow(
    /^hours: must be one of/,
  );
  expect(() => filterValuesFromQuery(filters, new URLSearchParams('x=1'))).toThrow(/^x: not a filter/);
});
