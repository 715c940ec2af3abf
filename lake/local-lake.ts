// The local lake as SQL: every Delta table under `<data-dir>/lake/<layer>/<table>` becomes a DuckDB view
// `"<layer>"."<table>"` over exactly its live parquet files, so dashboards and `streamsoft query` read
// what Athena would read in AWS.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance, type DuckDBConnection, type Json } from '@duckdb/node-api';
import { silentLogger, type Logger } from '../core/logger';
import { readDeltaSnapshot, isDeltaTable, type DeltaAction, type DeltaSnapshot } from './delta-log';
import { duckdbType, quoteIdentifier, quoteLiteral, type DeltaField } from './delta-schema';
import { DeltaLogError, QueryError, TableNotFoundError } from './errors';

/** The medallion layers; each is a DuckDB schema even before it has a table. */
export const LAKE_LAYERS = ['bronze', 'silver', 'gold'] as const;

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

/** A name from DuckDB's parser (`gold.ohlcv_1m`, `"gold"."x" AS t`) as its unquoted parts. */
function nameParts(qualified: string): string[] {
  const withoutAlias = qualified.replace(/\s+AS\s+.*$/is, '');
  return (withoutAlias.match(/"(?:[^"]|"")*"|[^.]+/g) ?? []).map((part) =>
    part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part,
  );
}

export class LocalLake {
  private readonly versions = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private refreshedAt = Number.NEGATIVE_INFINITY;

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
    return [...this.versions.keys()].sort();
  }

  /** Re-reads every table's Delta log and re-creates the views of tables that changed. */
  refresh(): Promise<void> {
    return this.exclusive(() => this.refreshViews());
  }

  /** Runs SQL over the views as they are after a refresh. */
  query(sql: string): Promise<QueryResult> {
    return this.exclusive(async () => {
      if (performance.now() - this.refreshedAt >= this.minRefreshIntervalMs) await this.refreshViews();
      this.checkTablesExist(sql);
      try {
        const reader = await this.connection.runAndReadAll(sql);
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

  private checkTablesExist(sql: string): void {
    let referenced: readonly string[];
    try {
      referenced = this.connection.getTableNames(sql, true);
    } catch {
      return; // a parse error is DuckDB's to report, with its position
    }
    for (const name of referenced) {
      const parts = nameParts(name);
      const [layer, table] = parts.slice(-2);
      if (parts.length < 2 || layer === undefined || table === undefined) continue;
      const isLakeLayer = (LAKE_LAYERS as readonly string[]).includes(layer);
      if (isLakeLayer && !this.versions.has(`${layer}.${table}`)) {
        throw new TableNotFoundError(`${layer}.${table}`, this.lakeDir);
      }
    }
  }

  private async refreshViews(): Promise<void> {
    this.refreshedAt = performance.now();
    const tables = await discoverTables(this.lakeDir);
    const seen = new Set<string>();
    for (const ref of tables) {
      const name = `${ref.layer}.${ref.table}`;
      seen.add(name);
      const snapshot = await readDeltaSnapshot(ref.path, (files) => this.readCheckpoint(files)).catch(
        (error: unknown) => {
          // A table whose first commit is still being written has no snapshot yet; keep the last view.
          this.logger.debug({ table: name, err: error }, 'Delta log not readable yet');
          return undefined;
        },
      );
      if (snapshot === undefined || this.versions.get(name) === snapshot.version) continue;
      await this.createView(ref, snapshot);
      this.versions.set(name, snapshot.version);
      this.logger.debug(
        { table: name, version: snapshot.version, files: snapshot.files.length },
        'view refreshed',
      );
    }
    for (const name of [...this.versions.keys()].filter((n) => !seen.has(n))) {
      const [layer, table] = name.split('.') as [string, string];
      await this.connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(layer)}.${quoteIdentifier(table)}`);
      this.versions.delete(name);
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
