// Delta schemas (the `schemaString` of a metaData action) and their DuckDB type names.
import { DeltaLogError } from './errors';

export type DeltaType =
  | string
  | { type: 'struct'; fields: DeltaField[] }
  | { type: 'array'; elementType: DeltaType }
  | { type: 'map'; keyType: DeltaType; valueType: DeltaType };

export interface DeltaField {
  name: string;
  type: DeltaType;
}

export function parseDeltaSchema(schemaString: string): DeltaField[] {
  let schema: unknown;
  try {
    schema = JSON.parse(schemaString);
  } catch (error) {
    throw new DeltaLogError('table metadata has a schemaString that is not JSON', { cause: error });
  }
  const fields = (schema as { fields?: unknown }).fields;
  if (!Array.isArray(fields)) throw new DeltaLogError('table metadata has a schema without fields');
  return fields as DeltaField[];
}

const PRIMITIVES: Record<string, string> = {
  string: 'VARCHAR',
  long: 'BIGINT',
  integer: 'INTEGER',
  short: 'SMALLINT',
  byte: 'TINYINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  binary: 'BLOB',
  date: 'DATE',
  timestamp: 'TIMESTAMPTZ',
  timestamp_ntz: 'TIMESTAMP',
};

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The DuckDB type of a Delta type, e.g. `decimal(18,4)` → `DECIMAL(18,4)`, a struct → `STRUCT(...)`. */
export function duckdbType(type: DeltaType): string {
  if (typeof type === 'string') {
    const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
    if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
    const primitive = PRIMITIVES[type];
    if (primitive === undefined) throw new DeltaLogError(`Delta type ${type} is not supported`);
    return primitive;
  }
  switch (type.type) {
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${quoteIdentifier(f.name)} ${duckdbType(f.type)}`).join(', ')})`;
    case 'array':
      return `${duckdbType(type.elementType)}[]`;
    case 'map':
      return `MAP(${duckdbType(type.keyType)}, ${duckdbType(type.valueType)})`;
  }
}
