// `--set field=value` (repeatable): values for writer-schema fields the simulator does not generate (say
// `venue` of a newer Trade version), instead of their Avro default. Parsed with zod like every flag, then
// checked against the writer schema once it is known: each value is text turned into a value of the
// field's Avro type (avsc decides what fits), so a refusal is one line naming the field.
import { types, type Type } from 'avsc';
import { z } from 'zod';
import { ConfigError } from '../core/errors';

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** Commander's collector for the repeatable flag (and its one STREAMSOFT_SET value). */
export function collectAssignment(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--set` as given: `field=value` texts → field → text, each field at most once. */
export const fieldAssignments = z
  .array(z.string().regex(ASSIGNMENT, 'must be field=value, e.g. venue=XNAS'))
  .default([])
  .transform((entries, context) => {
    const texts: Record<string, string> = {};
    for (const entry of entries) {
      const [, field, text] = ASSIGNMENT.exec(entry)!;
      if (field! in texts) {
        context.addIssue({ code: 'custom', message: `${field} is given more than once` });
        return z.NEVER;
      }
      texts[field!] = text!;
    }
    return texts;
  });

interface WriterField {
  name: string;
  type: Type;
}

/**
 * The values to write for `texts` (field → text from `--set`) under the writer record type: a ConfigError
 * naming the field when the writer has no such field, when the simulator already generates it (`generated`),
 * or when the text is no value of the field's type.
 */
export function fieldValuesFor(
  writer: Type,
  generated: ReadonlySet<string>,
  texts: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const fields = (writer as unknown as { fields?: WriterField[] }).fields ?? [];
  const settable = fields.filter((field) => !generated.has(field.name)).map((field) => field.name);
  const values: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(texts)) {
    const field = fields.find((candidate) => candidate.name === name);
    if (field === undefined) {
      throw new ConfigError(
        `--set ${name}: the writer schema has no field ${name} (${settableList(settable)})`,
      );
    }
    if (generated.has(name)) {
      throw new ConfigError(
        `--set ${name}: the simulator generates ${name}; --set gives only the fields it does not (${settableList(settable)})`,
      );
    }
    const value = valueFromText(field.type, text);
    if (value === undefined) {
      throw new ConfigError(
        `--set ${name}: ${JSON.stringify(text)} is not a value of type ${typeText(field.type)}`,
      );
    }
    values[name] = value;
  }
  return values;
}

function settableList(settable: string[]): string {
  return settable.length === 0
    ? 'every field of this writer schema is generated'
    : `fields it can set here: ${settable.join(', ')}`;
}

/**
 * A value of `type` read from command-line text, or undefined when none fits: the text itself (string,
 * enum symbol, uuid, decimal), else a number (int, long, float, double), else true/false. In a union the
 * first branch (in that order of readings) that takes it wins, so `[null, string]` takes the text.
 */
export function valueFromText(type: Type, text: string): unknown {
  const readings: unknown[] = [text];
  if (text.trim() !== '' && Number.isFinite(Number(text))) readings.push(Number(text));
  if (text === 'true' || text === 'false') readings.push(text === 'true');
  if (type instanceof types.WrappedUnionType) {
    for (const reading of readings) {
      for (const branch of type.types) {
        if (branch.typeName !== 'null' && branch.isValid(reading)) {
          return { [branch.branchName!]: reading };
        }
      }
    }
    return undefined;
  }
  return readings.find((reading) => type.isValid(reading));
}

function typeText(type: Type): string {
  if (type instanceof types.UnwrappedUnionType || type instanceof types.WrappedUnionType) {
    return type.types.map(typeText).join(' | ');
  }
  if (type instanceof types.EnumType) return `enum ${type.name ?? ''} (${type.symbols.join(', ')})`;
  return type.name ?? type.typeName;
}
