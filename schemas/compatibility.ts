// Why two schema versions are incompatible, in words that name the field. The registry decides; this
// explains, with the Avro resolution rules (avsc's resolver), which data could not be read and why.
import { Type, type Schema } from 'avsc';
import type { CompatibilityLevel } from './compatibility-levels';

type SchemaJson = Record<string, unknown>;

interface FieldJson {
  name: string;
  type: unknown;
  default?: unknown;
  aliases?: string[];
}

/** Plain types (logical types ignored, as the Java resolution rules the registries use ignore them). */
function plainType(schema: SchemaJson): Type {
  return Type.forSchema(schema as Schema);
}

function describe(typeJson: unknown): string {
  if (typeof typeJson === 'string') return typeJson;
  if (Array.isArray(typeJson)) return `union [${typeJson.map(describe).join(', ')}]`;
  if (typeJson !== null && typeof typeJson === 'object') {
    const type = typeJson as Record<string, unknown>;
    if (type.logicalType === 'decimal')
      return `${String(type.type)} (decimal(${String(type.precision)},${String(type.scale)}))`;
    if (typeof type.logicalType === 'string') return `${String(type.type)} (${type.logicalType})`;
    if (typeof type.name === 'string') return `${String(type.type)} ${type.name}`;
    return String(type.type);
  }
  return String(typeJson);
}

function fieldsOf(schema: unknown): FieldJson[] | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const fields = (schema as SchemaJson).fields;
  return Array.isArray(fields) ? (fields as FieldJson[]) : undefined;
}

/**
 * Why data written with `writer` cannot be read with `reader`, naming the field; undefined when it can.
 * `readerLabel`/`writerLabel` say which versions these are, e.g. "the new schema", "version 2".
 */
export function readIncompatibility(
  reader: SchemaJson,
  writer: SchemaJson,
  readerLabel: string,
  writerLabel: string,
): string | undefined {
  const readerType = plainType(reader);
  const writerType = plainType(writer);
  try {
    readerType.createResolver(writerType);
    return undefined;
  } catch (error) {
    const fallback = error instanceof Error ? error.message : String(error);
    return (
      fieldReason(readerType, writerType, reader, writer, '', readerLabel, writerLabel) ??
      `${readerLabel} cannot read data written with ${writerLabel}: ${fallback}`
    );
  }
}

function fieldReason(
  readerType: Type,
  writerType: Type,
  readerJson: unknown,
  writerJson: unknown,
  prefix: string,
  readerLabel: string,
  writerLabel: string,
): string | undefined {
  const readerFields = fieldsOf(readerJson);
  const writerFields = fieldsOf(writerJson);
  const readerRecord = readerType as Type & { field?: (name: string) => { type: Type } | undefined };
  const writerRecord = writerType as Type & { field?: (name: string) => { type: Type } | undefined };
  if (readerFields === undefined || writerFields === undefined) return undefined;
  for (const field of readerFields) {
    const path = `${prefix}${field.name}`;
    const names = [field.name, ...(field.aliases ?? [])];
    const match = writerFields.find((candidate) => names.includes(candidate.name));
    if (match === undefined) {
      if (field.default === undefined) {
        return `field '${path}' (${describe(field.type)}) is in ${readerLabel} without a default, but data written with ${writerLabel} does not have it`;
      }
      continue;
    }
    const readerFieldType = readerRecord.field?.(field.name)?.type;
    const writerFieldType = writerRecord.field?.(match.name)?.type;
    if (readerFieldType === undefined || writerFieldType === undefined) continue;
    try {
      readerFieldType.createResolver(writerFieldType);
    } catch {
      const nested = fieldReason(
        readerFieldType,
        writerFieldType,
        field.type,
        match.type,
        `${path}.`,
        readerLabel,
        writerLabel,
      );
      return (
        nested ??
        `field '${path}' is ${describe(match.type)} in ${writerLabel} but ${describe(field.type)} in ${readerLabel}, which cannot read it`
      );
    }
  }
  return undefined;
}

export interface CompatibilityVerdict {
  compatible: boolean;
  /** One line naming the field, when incompatible. */
  reason?: string;
}

/**
 * Checks a candidate schema against the registered versions (oldest first) at a compatibility level,
 * with the registry's semantics: BACKWARD = the candidate reads the latest version's data, FORWARD = the
 * latest version reads the candidate's, FULL = both; *_TRANSITIVE = against every version.
 */
export function checkCompatibility(
  candidate: SchemaJson,
  registered: ReadonlyArray<{ version: number; schema: SchemaJson }>,
  level: CompatibilityLevel,
): CompatibilityVerdict {
  if (level === 'NONE' || registered.length === 0) return { compatible: true };
  const against = level.endsWith('_TRANSITIVE') ? [...registered].reverse() : registered.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  for (const existing of against) {
    const label = `version ${existing.version}`;
    if (backward) {
      const reason = readIncompatibility(candidate, existing.schema, 'the new schema', label);
      if (reason !== undefined) return { compatible: false, reason: `${level}: ${reason}` };
    }
    if (forward) {
      const reason = readIncompatibility(existing.schema, candidate, label, 'the new schema');
      if (reason !== undefined) return { compatible: false, reason: `${level}: ${reason}` };
    }
  }
  return { compatible: true };
}
