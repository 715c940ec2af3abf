// Query results for people (an aligned text table) and for programs (JSON row objects).
import type { Json } from '@duckdb/node-api';
import type { QueryResult } from './local-lake';

function cell(value: Json): string {
  if (value === null) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/** Rows as an aligned table with a header rule and a row count, numbers right-aligned. */
export function renderTable(result: QueryResult): string {
  const header = result.columns.map((c) => c.name);
  const body = result.rows.map((row) => row.map(cell));
  const widths = header.map((name, i) => Math.max(name.length, ...body.map((row) => (row[i] ?? '').length)));
  const numeric = result.columns.map((c) => NUMERIC.test(c.type));
  const line = (values: string[]): string =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
  return [line(header), rule, ...body.map(line), count].join('\n') + '\n';
}

/** Rows as objects keyed by column name. */
export function rowObjects(result: QueryResult): Record<string, Json>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i] ?? null])));
}
