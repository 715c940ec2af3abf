// The local lake as SQL: every Delta table under `<data-dir>/lake/<layer>/<table>` becomes a DuckDB view
// `"<layer>"."<table>"` over exactly its live parquet files, so dashboards and `streamsoft query` read
// what Athena would read in AWS.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DOUBLE, DuckDBInstance, VARCHAR, type DuckDBConnection, type Json } from '@duckdb/node-api';
import { silentLogger, type Logger } from '../core/logger';
import { readDeltaSnapshot, isDeltaTable, type DeltaAction, type DeltaSnapshot } from './delta-log';
import { duckdbType, quoteIdentifier, quoteLiteral, type DeltaField } from './delta-schema';
import { DeltaLogError, QueryError, TableNotFoundError } from './errors';
import { LAKE_LAYERS } from './tables';

/** The medallion layers (from the lake-table contract); each is a DuckDB schema even before it has a table. */
export { LAKE_LAYERS };

export interface LakeTableRef {
  layer: string;
  table: string;
  path: string;
}

export interface QueryColumn {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  /** Row values as JSON: exact numbers (BIGINT, DECIMAL) and timestamps come back as strings. */
  rows: Json[][];
}

export interface LocalLakeOptions {
  lakeDir: string;
  logger?: Logger;
  /** A query re-reads the Delta logs only when the last read is older than this (default: every query). */
  minRefreshIntervalMs?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every `<layer>/<table>` folder holding a `_delta_log`. */
export async function discoverTables(lakeDir: string): Promise<LakeTableRef[]> {
  const found: LakeTableRef[] = [];
  const layers = await fs.readdir(lakeDir, { withFileTypes: true }).catch(() => []);
  for (const layer of layers.filter((d) => d.isDirectory() && IDENTIFIER.test(d.name))) {
    const tables = await fs.readdir(path.join(lakeDir, layer.name), { withFileTypes: true });
    for (const table of tables.filter((d) => d.isDirectory() && IDENTIFIER.test(d.name))) {
      const tablePath = path.join(lakeDir, layer.name, table.name);
      if (await isDeltaTable(tablePath))
        found.push({ layer: layer.name, table: table.name, path: tablePath });
    }
  }
  return found.sort((a, b) => `${a.layer}.${a.table}`.localeCompare(`${b.layer}.${b.table}`));
}

function partitionLiteral(field: DeltaField, value: string | null | undefined): string {
  const type = duckdbType(field.type);
  return value === null || value === undefined
    ? `CAST(NULL AS ${type})`
    : `CAST(${quoteLiteral(value)} AS ${type})`;
}

function isPrimitive(field: DeltaField): boolean {
  return typeof field.type === 'string';
}

/**
 * The SELECT behind a table's view: the live files grouped by partition values (partition columns are
 * not stored in the files, so each group adds them as literals), columns in the table schema's order and
 * types; columns that no file has yet (schema evolution) read as NULL.
 */
export function snapshotSelect(snapshot: DeltaSnapshot, presentColumns: Set<string> | undefined): string {
  const typed = (field: DeltaField, expression: string): string =>
    isPrimitive(field) ? `CAST(${expression} AS ${duckdbType(field.type)})` : expression;
  if (snapshot.files.length === 0 || presentColumns === undefined) {
    const empty = snapshot.fields.map(
      (f) => `CAST(NULL AS ${duckdbType(f.type)}) AS ${quoteIdentifier(f.name)}`,
    );
    return `SELECT ${empty.join(', ')} WHERE false`;
  }
  const outer = snapshot.fields.map((f) =>
    presentColumns.has(f.name)
      ? `${typed(f, quoteIdentifier(f.name))} AS ${quoteIdentifier(f.name)}`
      : `CAST(NULL AS ${duckdbType(f.type)}) AS ${quoteIdentifier(f.name)}`,
  );
  return `SELECT ${outer.join(', ')} FROM (${filesSelect(snapshot)})`;
}

/** The live files with their partition columns, in whatever column order and types the files have. */
export function filesSelect(snapshot: DeltaSnapshot): string {
  const partitionFields = snapshot.partitionColumns.map((name) => {
    const field = snapshot.fields.find((f) => f.name === name);
    if (field === undefined) throw new DeltaLogError(`partition column ${name} is not in the table schema`);
    return field;
  });
  const groups = new Map<string, { values: (string | null)[]; files: string[] }>();
  for (const file of snapshot.files) {
    const values = partitionFields.map((f) => file.partitionValues[f.name] ?? null);
    const key = JSON.stringify(values);
    const group = groups.get(key) ?? { values, files: [] };
    group.files.push(file.path);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ values, files }) => {
      const literals = partitionFields.map(
        (f, i) => `, ${partitionLiteral(f, values[i])} AS ${quoteIdentifier(f.name)}`,
      );
      const list = files.map(quoteLiteral).join(', ');
      // Partition values come from the log, never from folder names or copies inside the files.
      const columns =
        partitionFields.length === 0
          ? '*'
          : `COLUMNS(c -> c NOT IN (${partitionFields.map((f) => quoteLiteral(f.name)).join(', ')}))`;
      const source = `read_parquet([${list}], union_by_name = true, hive_partitioning = false)`;
      return `SELECT ${columns}${literals.join('')} FROM ${source}`;
    })
    .join(' UNION ALL BY NAME ');
}

export class LocalLake {
  private readonly snapshots = new Map<string, DeltaSnapshot>();
  private readonly refreshedAt = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly lakeDir: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly logger: Logger,
    private readonly minRefreshIntervalMs: number,
  ) {}

  static async open(options: LocalLakeOptions): Promise<LocalLake> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    for (const layer of LAKE_LAYERS)
      await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(layer)}`);
    const lake = new LocalLake(
      path.resolve(options.lakeDir),
      instance,
      connection,
      options.logger ?? silentLogger,
      options.minRefreshIntervalMs ?? 0,
    );
    await lake.refresh();
    return lake;
  }

  /** `<layer>.<table>` names of the tables the views currently cover. */
  tables(): string[] {
    return [...this.snapshots.keys()].sort();
  }

  /** Re-reads every table's Delta log and re-creates the views of tables that changed. */
  refresh(): Promise<void> {
    return this.exclusive(() => this.refreshViews(() => true));
  }

  /**
   * Runs SQL over the views, after bringing the tables it reads up to date (those read within the last
   * `minRefreshIntervalMs` are taken as they are). `params` are bound to `$name` placeholders by DuckDB,
   * never spliced into the SQL text: strings as VARCHAR, numbers as DOUBLE.
   */
  query(sql: string, params: Record<string, string | number> = {}): Promise<QueryResult> {
    return this.exclusive(async () => {
      const referenced = await this.lakeTablesIn(sql);
      const now = performance.now();
      await this.refreshViews(
        (name) =>
          (referenced === undefined || referenced.has(name)) &&
          now - (this.refreshedAt.get(name) ?? -Infinity) >= this.minRefreshIntervalMs,
      );
      for (const name of referenced ?? []) {
        if (!this.snapshots.has(name)) throw new TableNotFoundError(name, this.lakeDir);
      }
      try {
        const paramTypes = Object.fromEntries(
          Object.entries(params).map(([name, value]) => [name, typeof value === 'number' ? DOUBLE : VARCHAR]),
        );
        const reader =
          Object.keys(params).length === 0
            ? await this.connection.runAndReadAll(sql)
            : await this.connection.runAndReadAll(sql, params, paramTypes);
        const names = reader.columnNames();
        const types = reader.columnTypes();
        return {
          columns: names.map((name, i) => ({ name, type: String(types[i]) })),
          rows: reader.getRowsJson(),
        };
      } catch (error) {
        throw new QueryError(error instanceof Error ? error.message : String(error), { cause: error });
      }
    });
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * `<layer>.<table>` names of the lake tables a statement reads, from DuckDB's parser (not its binder,
   * which would expand the views); undefined when the statement is not a query it can serialise.
   */
  private async lakeTablesIn(sql: string): Promise<Set<string> | undefined> {
    const reader = await this.connection.runAndReadAll(
      'SELECT json_serialize_sql(CAST($1 AS VARCHAR))',
      [sql],
      [VARCHAR],
    );
    const tree = JSON.parse(String(reader.getRowsJson()[0]?.[0] ?? '{"error":true}')) as { error?: boolean };
    if (tree.error !== false) return undefined;
    const names = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(walk);
      } else if (node !== null && typeof node === 'object') {
        const { type, schema_name: layer, table_name: table } = node as Record<string, unknown>;
        if (type === 'BASE_TABLE' && typeof layer === 'string' && typeof table === 'string') {
          if (LAKE_LAYERS.includes(layer)) names.add(`${layer}.${table}`);
        }
        Object.values(node).forEach(walk);
      }
    };
    walk(tree);
    return names;
  }

  /** Discovers tables and re-reads the logs of those `wanted` selects, re-creating views that changed. */
  private async refreshViews(wanted: (name: string) => boolean): Promise<void> {
    const tables = await discoverTables(this.lakeDir);
    const seen = new Set<string>();
    for (const ref of tables) {
      const name = `${ref.layer}.${ref.table}`;
      seen.add(name);
      const previous = this.snapshots.get(name);
      if (previous !== undefined && !wanted(name)) continue;
      this.refreshedAt.set(name, performance.now());
      const read = readDeltaSnapshot(ref.path, (files) => this.readCheckpoint(files), previous);
      const snapshot = await read.catch((error: unknown) => {
        // A table whose first commit is still being written has no snapshot yet; keep the last view.
        this.logger.debug({ table: name, err: error }, 'Delta log not readable yet');
        return undefined;
      });
      if (snapshot === undefined || snapshot === previous) continue;
      await this.createView(ref, snapshot);
      this.snapshots.set(name, snapshot);
      this.logger.debug(
        { table: name, version: snapshot.version, files: snapshot.files.length },
        'view refreshed',
      );
    }
    for (const name of [...this.snapshots.keys()].filter((n) => !seen.has(n))) {
      const [layer, table] = name.split('.') as [string, string];
      await this.connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(layer)}.${quoteIdentifier(table)}`);
      this.snapshots.delete(name);
      this.refreshedAt.delete(name);
    }
  }

  private async createView(ref: LakeTableRef, snapshot: DeltaSnapshot): Promise<void> {
    const schema = quoteIdentifier(ref.layer);
    await this.connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    let present: Set<string> | undefined;
    if (snapshot.files.length > 0) {
      const described = await this.connection.runAndReadAll(`DESCRIBE ${filesSelect(snapshot)}`);
      present = new Set(described.getRowObjectsJson().map((row) => String(row['column_name'])));
    }
    const view = `${schema}.${quoteIdentifier(ref.table)}`;
    await this.connection.run(`CREATE OR REPLACE VIEW ${view} AS ${snapshotSelect(snapshot, present)}`);
  }

  private async readCheckpoint(files: string[]): Promise<DeltaAction[]> {
    const list = files.map(quoteLiteral).join(', ');
    const reader = await this.connection.runAndReadAll(
      `SELECT to_json(add) AS add, to_json(metaData) AS metaData, to_json(protocol) AS protocol
       FROM read_parquet([${list}], union_by_name = true)
       WHERE add IS NOT NULL OR metaData IS NOT NULL OR protocol IS NOT NULL`,
    );
    return reader.getRowObjectsJson().map((row) => ({
      add: typeof row['add'] === 'string' ? JSON.parse(row['add']) : null,
      metaData: typeof row['metaData'] === 'string' ? JSON.parse(row['metaData']) : null,
      protocol: typeof row['protocol'] === 'string' ? JSON.parse(row['protocol']) : null,
    }));
  }
}
