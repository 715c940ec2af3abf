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

/** Paths (e.g. `price`, `broker`) of the values in `value` that do not fit `type`. */
export function invalidPaths(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[]) => {
      paths.push(path.length === 0 ? '(record)' : path.join('.'));
    },
  });
  return paths;
}
