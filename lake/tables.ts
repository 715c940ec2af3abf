// The lake's tables, defined once in the Python package (`streamsoft_jobs/lake_tables.json`, which ships
// to Glue inside the package zip) and read here by the Glue catalog, `up`, the DuckDB views and the tests.
import { z } from 'zod';
import contract from '../glue-streaming/streamsoft_jobs/lake_tables.json';

const Identifier = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a lower-case identifier');
const Contract = z.object({
  layers: z.record(
    Identifier,
    z.record(Identifier, z.object({ writer: Identifier, description: z.string().min(1) })),
  ),
});

export interface LakeTableSpec {
  readonly layer: string;
  readonly table: string;
  /** `layer.table`, as the catalog, Athena and DuckDB name it. */
  readonly name: string;
  /** The one job that writes the table. */
  readonly writer: string;
  readonly description: string;
}

const parsed = Contract.parse(contract);

export const LAKE_TABLES: readonly LakeTableSpec[] = Object.entries(parsed.layers).flatMap(
  ([layer, tables]) =>
    Object.entries(tables).map(([table, spec]) => ({ layer, table, name: `${layer}.${table}`, ...spec })),
);

/** The medallion layers, in pipeline order; each is a database (Glue) or schema (DuckDB). */
export const LAKE_LAYERS: readonly string[] = Object.keys(parsed.layers);

/** The tables of one layer. */
export function tablesOf(layer: string): LakeTableSpec[] {
  return LAKE_TABLES.filter((t) => t.layer === layer);
}

/** The table called `name` (`layer.table`); an unknown name is a programming error. */
export function lakeTable(name: string): LakeTableSpec {
  const table = LAKE_TABLES.find((t) => t.name === name);
  if (!table)
    throw new Error(
      `unknown lake table ${name}; expected one of ${LAKE_TABLES.map((t) => t.name).join(', ')}`,
    );
  return table;
}
