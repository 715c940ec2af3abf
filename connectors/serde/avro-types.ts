// Builds avsc types for the serde: every schema is compiled once with our logical types (decimal as an
// exact string), and reader/writer resolvers are built from those compiled types.
import { Type, type Schema } from 'avsc';
import { DecimalType } from './decimal';

/** An Avro schema as JSON text or parsed JSON. */
export type AvroSchemaDefinition = string | Record<string, unknown>;

const LOGICAL_TYPES = { decimal: DecimalType };

export function parseSchemaJson(schema: AvroSchemaDefinition): Record<string, unknown> {
  return typeof schema === 'string' ? (JSON.parse(schema) as Record<string, unknown>) : schema;
}

/**
 * The avsc type of a schema, with `decimal` as exact strings. `timestamp-millis` stays a plain long
 * (epoch milliseconds as a number) and `uuid` a plain string.
 */
export function avroTypeFor(schema: AvroSchemaDefinition): Type {
  return Type.forSchema(parseSchemaJson(schema) as Schema, {
    logicalTypes: LOGICAL_TYPES,
    assertLogicalTypes: true,
  });
}

function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function fieldType(type: Type, path: string): Type | undefined {
  let current: Type | undefined = type;
  for (const key of path.split('.')) {
    const record = current as (Type & { field?: (name: string) => { type: Type } | undefined }) | undefined;
    current = typeof record?.field === 'function' ? record.field(key)?.type : undefined;
  }
  return current;
}

function describeType(type: Type | undefined): string {
  if (type === undefined) return 'a valid value';
  if (type instanceof DecimalType) return `a decimal(${type.precision},${type.scale}) string`;
  const branches = (type as Type & { types?: Type[] }).types;
  if (Array.isArray(branches)) return branches.map(describeType).join(' or ');
  const symbols = (type as Type & { symbols?: string[] }).symbols;
  if (Array.isArray(symbols)) return `one of ${symbols.join('|')}`;
  return type.typeName;
}

/**
 * What in `value` does not fit `type`, one entry per bad field, e.g.
 * `field price: expected a decimal(18,4) string, got 880.91`. Only called once encoding has failed.
 */
export function describeInvalidValue(type: Type, value: unknown): string[] {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[]) => {
      if (path.length === 0) {
        problems.push(`expected a record, got ${shown(value)}`);
        return;
      }
      const name = path.join('.');
      problems.push(
        `field ${name}: expected ${describeType(fieldType(type, name))}, got ${shown(valueAt(value, name))}`,
      );
    },
  });
  return problems;
}
