// Values for the fields of a writer schema that a record does not carry: a newer Trade version registered
// after this code was written (say v3 adds `venue`) is written with the Avro default of each such field,
// or, for a field without one, a fixed zero value of its type, so the producer needs no code change
// (`streamsoft produce --set field=value` gives such a field a value instead: producers/field-values.ts).
import type { Type } from 'avsc';

type Json = Record<string, unknown>;

/** A deterministic zero value of an Avro type: 0, '', false, null, [], {}, the first enum symbol, ... */
export function zeroValue(type: unknown, named = new Map<string, unknown>()): unknown {
  if (Array.isArray(type)) return zeroValue(type[0], named);
  if (typeof type === 'string') {
    switch (type) {
      case 'null':
        return null;
      case 'boolean':
        return false;
      case 'int':
      case 'long':
      case 'float':
      case 'double':
        return 0;
      case 'string':
        return '';
      case 'bytes':
        return Buffer.alloc(0);
      default: {
        const definition = named.get(type) ?? named.get(type.split('.').pop() ?? type);
        if (definition === undefined) throw new TypeError(`unknown Avro type ${type}`);
        return zeroValue(definition, named);
      }
    }
  }
  const schema = type as Json;
  if (typeof schema.name === 'string' && ['record', 'enum', 'fixed'].includes(String(schema.type))) {
    named.set(schema.name, schema);
    named.set(schema.name.split('.').pop() as string, schema);
  }
  if (schema.logicalType === 'decimal') return (0).toFixed(Number(schema.scale ?? 0));
  if (schema.logicalType === 'uuid') return '00000000-0000-0000-0000-000000000000';
  switch (schema.type) {
    case 'record':
      return Object.fromEntries(
        (schema.fields as Json[]).map((field) => [
          field.name as string,
          'default' in field ? field.default : zeroValue(field.type, named),
        ]),
      );
    case 'enum':
      return (schema.symbols as string[])[0];
    case 'fixed':
      return Buffer.alloc(Number(schema.size));
    case 'array':
      return [];
    case 'map':
      return {};
    default:
      return zeroValue(schema.type, named);
  }
}

interface AvroField {
  name: string;
  type: Type;
  defaultValue(): unknown;
}

/**
 * The fields of a record writer type missing from `known` (the names a record carries), each with the
 * value to write: its Avro default, or a zero value of its type. Computed once per writer schema.
 */
export function missingFieldValues(writer: Type, known: ReadonlySet<string>): Record<string, unknown> {
  const missing: Record<string, unknown> = {};
  for (const field of (writer as unknown as { fields?: AvroField[] }).fields ?? []) {
    if (known.has(field.name)) continue;
    const fallback = field.defaultValue();
    missing[field.name] =
      fallback !== undefined ? fallback : zeroValue(field.type.schema({ exportAttrs: true }));
  }
  return missing;
}
