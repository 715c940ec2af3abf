// Compatibility verdicts and their reasons: every incompatible case names the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCompatibility } from '../../../schemas/compatibility';
import { COMPATIBILITY_LEVELS } from '../../../schemas/compatibility-levels';
import { tradeSchema } from '../../../schemas/trade-schemas';

const v3 = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/schemas/trade-v3-incompatible.avsc'), 'utf8'),
) as Record<string, unknown>;
const registered = [
  { version: 1, schema: tradeSchema(1) },
  { version: 2, schema: tradeSchema(2) },
];

function withFields(edit: (fields: Array<Record<string, unknown>>) => void): Record<string, unknown> {
  const schema = tradeSchema(2);
  edit(schema.fields as Array<Record<string, unknown>>);
  return schema;
}

describe('checkCompatibility', () => {
  it.each(COMPATIBILITY_LEVELS)('accepts v2 after v1 at %s', (level) => {
    expect(checkCompatibility(tradeSchema(2), registered.slice(0, 1), level)).toEqual({ compatible: true });
  });

  it('rejects the v3 fixture under BACKWARD, naming price', () => {
    const verdict = checkCompatibility(v3, registered, 'BACKWARD');
    expect(verdict.compatible).toBe(false);
    expect(verdict.reason).toMatch(/field 'price'/);
    expect(verdict.reason).toMatch(/double/);
  });

  it('accepts anything under NONE and against an empty subject', () => {
    expect(checkCompatibility(v3, registered, 'NONE').compatible).toBe(true);
    expect(checkCompatibility(v3, [], 'FULL_TRANSITIVE').compatible).toBe(true);
  });

  it('names a new field without a default under BACKWARD, but not under FORWARD', () => {
    const added = withFields((fields) => fields.push({ name: 'venue', type: 'string' }));
    expect(checkCompatibility(added, registered, 'BACKWARD').reason).toMatch(
      /field 'venue'.*without a default/,
    );
    expect(checkCompatibility(added, registered, 'FORWARD').compatible).toBe(true);
    expect(checkCompatibility(added, registered, 'FULL').reason).toMatch(/field 'venue'/);
  });

  it('names a removed field without a default under FORWARD, but not under BACKWARD', () => {
    const removed = withFields((fields) =>
      fields.splice(
        fields.findIndex((field) => field.name === 'symbol'),
        1,
      ),
    );
    expect(checkCompatibility(removed, registered, 'BACKWARD').compatible).toBe(true);
    expect(checkCompatibility(removed, registered, 'FORWARD').reason).toMatch(/field 'symbol'/);
  });

  it('checks every version under the transitive levels only', () => {
    // Drops quantity's default: fine against v2 (which has quantity), not against v1 (which has not).
    const noDefault = withFields((fields) => {
      const quantity = fields.find((field) => field.name === 'quantity') as Record<string, unknown>;
      delete quantity.default;
    });
    expect(checkCompatibility(noDefault, registered, 'BACKWARD').compatible).toBe(true);
    const verdict = checkCompatibility(noDefault, registered, 'BACKWARD_TRANSITIVE');
    expect(verdict.compatible).toBe(false);
    expect(verdict.reason).toMatch(/field 'quantity'.*version 1/);
  });

  it('allows the promotions Avro allows and names the field for the others', () => {
    const widened = withFields((fields) => {
      (fields.find((field) => field.name === 'timestamp') as Record<string, unknown>).type = 'double';
    });
    expect(checkCompatibility(widened, registered, 'BACKWARD').compatible).toBe(true);
    expect(checkCompatibility(widened, registered, 'FORWARD').reason).toMatch(/field 'timestamp'/);
  });
});
