// One card's data from the local lake: rows for the chart, or "no data yet" while its tables are empty
// or not created, so a fresh pipeline shows placeholders rather than errors.
import type { Json } from '@duckdb/node-api';
import { TableNotFoundError } from '../lake/errors';
import type { LocalLake, QueryColumn } from '../lake/local-lake';
import { rowObjects } from '../lake/render';
import type { CardSpec } from './dashboard-spec';

export type CardData =
  | { id: string; status: 'ok'; columns: QueryColumn[]; rows: Record<string, Json>[] }
  | { id: string; status: 'no_data'; message: string }
  | { id: string; status: 'error'; message: string };

export async function loadCardData(lake: Pick<LocalLake, 'query'>, card: CardSpec): Promise<CardData> {
  try {
    const result = await lake.query(card.sql);
    if (result.rows.length === 0) {
      return { id: card.id, status: 'no_data', message: `no data yet in ${card.tables.join(', ')}` };
    }
    return { id: card.id, status: 'ok', columns: result.columns, rows: rowObjects(result) };
  } catch (error) {
    if (error instanceof TableNotFoundError) {
      return { id: card.id, status: 'no_data', message: `no data yet: ${error.table} has not been written` };
    }
    return { id: card.id, status: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}
