// One card's data from the local lake under the dashboard's filters: rows for the chart and the newest
// row's time, or "no data" while its tables are empty or not created (or nothing matches the filters), so
// a fresh pipeline shows placeholders rather than errors.
import type { Json } from '@duckdb/node-api';
import { TableNotFoundError } from '../lake/errors';
import type { LocalLake, QueryColumn } from '../lake/local-lake';
import { rowObjects } from '../lake/render';
import { bindCardSql, type FilterValues } from './card-sql';
import type { CardSpec } from './dashboard-spec';

export type CardData =
  | {
      id: string;
      status: 'ok';
      columns: QueryColumn[];
      rows: Record<string, Json>[];
      /** The latest value of the card's time column, as DuckDB renders it. */
      newest: string | null;
    }
  | { id: string; status: 'no_data'; message: string }
  | { id: string; status: 'error'; message: string };

function newestOf(rows: Record<string, Json>[], column: string): string | null {
  let newest: string | null = null;
  // DuckDB renders timestamps and dates as ISO-ordered text, so the largest string is the latest time.
  for (const row of rows) {
    const value = row[column];
    if (typeof value === 'string' && (newest === null || value > newest)) newest = value;
  }
  return newest;
}

export async function loadCardData(
  lake: Pick<LocalLake, 'query'>,
  card: CardSpec,
  filters: FilterValues = {},
): Promise<CardData> {
  const { sql, params } = bindCardSql(card.sql, filters);
  try {
    const result = await lake.query(sql, params);
    if (result.rows.length === 0) {
      const filtered = Object.keys(params).length > 0;
      return {
        id: card.id,
        status: 'no_data',
        message: filtered
          ? `no data yet in ${card.tables.join(', ')} for these filters`
          : `no data yet in ${card.tables.join(', ')}`,
      };
    }
    const rows = rowObjects(result);
    return {
      id: card.id,
      status: 'ok',
      columns: result.columns,
      rows,
      newest: newestOf(rows, card.timeColumn),
    };
  } catch (error) {
    if (error instanceof TableNotFoundError) {
      return { id: card.id, status: 'no_data', message: `no data yet: ${error.table} has not been written` };
    }
    return { id: card.id, status: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}
